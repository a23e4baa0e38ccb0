// The import graph has no cycle, type-only imports included (ESLint's import-x/no-cycle skips
// those; a cycle of types still ties two files into one). Layers and faces are ESLint's
// (eslint.config.mjs).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'a module reaches itself through its imports (docs/design.md, Layout)',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
