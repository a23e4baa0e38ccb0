// Bundles the clients with esbuild: @chatpop/client for package users (clients/js/dist, ESM and
// CommonJS, socket.io-client left to the app) and the web chat (dist/web, one hashed script and
// stylesheet, served by the Koa app at /). Types are checked by tsc before this runs.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const sdkEntry = path.join(root, 'clients/js/src/index.ts');
const webDir = path.join(root, 'clients/web');
const webOut = path.join(root, 'dist/web');

async function sdk() {
  const common = {
    entryPoints: [sdkEntry],
    bundle: true,
    external: ['socket.io-client'],
    target: 'es2020',
    sourcemap: true,
    logLevel: 'warning',
  };
  await Promise.all([
    esbuild.build({ ...common, format: 'esm', outfile: path.join(root, 'clients/js/dist/index.mjs'), platform: 'neutral' }),
    esbuild.build({ ...common, format: 'cjs', outfile: path.join(root, 'clients/js/dist/index.cjs'), platform: 'node' }),
  ]);
}

async function web() {
  if (!fs.existsSync(path.join(webDir, 'src/main.ts'))) return;
  fs.rmSync(webOut, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: { app: path.join(webDir, 'src/main.ts'), style: path.join(webDir, 'style.css') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    sourcemap: 'linked',
    entryNames: '[name]-[hash]',
    outdir: webOut,
    metafile: true,
    logLevel: 'warning',
  });
  // index.html names the hashed files, so they can be cached for good and the page never.
  const outputs = Object.entries(result.metafile.outputs);
  const named = (entry) =>
    path.basename(outputs.find(([file, o]) => o.entryPoint && o.entryPoint.endsWith(entry) && !file.endsWith('.map'))[0]);
  const html = fs
    .readFileSync(path.join(webDir, 'index.html'), 'utf8')
    .replace('{{app.js}}', named('main.ts'))
    .replace('{{style.css}}', named('style.css'));
  fs.writeFileSync(path.join(webOut, 'index.html'), html);
}

Promise.all([sdk(), web()]).catch((err) => {
  console.error(err);
  process.exit(1);
});
