// Copies non-TypeScript assets (Lua scripts, dashboard HTML) next to the compiled code,
// so dist/ runs on its own (the image ships dist/ and production node_modules only).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const exts = new Set(['.lua', '.html', '.css', '.svg']);

function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (exts.has(path.extname(entry.name))) {
      const target = path.join(root, 'dist', path.relative(root, full));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(full, target);
    }
  }
}
walk(path.join(root, 'src'));
