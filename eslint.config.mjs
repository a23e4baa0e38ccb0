// ESLint keeps the layering of docs/design.md ("Layout"): no import cycle, no import past a
// folder's index.ts, no folder importing one above it. Layout is Prettier's (.prettierrc.json, checked
// by `npm run lint`); ESLint still holds the line length, which Prettier leaves to long strings.
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * What each folder of src/ may import besides itself: the layer map of docs/design.md, lowest
 * first. Root files: config, errors, db-error and logger are the floor everyone stands on; app.ts
 * and server.ts compose the rest and may import anything.
 */
const ROOT = ['config', 'errors', 'db-error', 'logger'];
const LAYERS = {
  domain: [],
  telemetry: ['db-error'],
  db: ['domain', 'errors', 'logger'],
  cache: ['domain', 'config', 'logger'],
  auth: ['db', 'domain', 'errors'],
  monitoring: ['telemetry', 'cache', 'db', 'domain', ...ROOT],
  chat: ['auth', 'telemetry', 'cache', 'db', 'domain', ...ROOT],
  users: ['chat', 'auth', 'telemetry', 'cache', 'db', 'domain', ...ROOT],
  ops: ['chat', 'auth', 'cache', 'db', 'domain', ...ROOT],
  http: ['users', 'chat', 'auth', 'monitoring', 'telemetry', 'cache', 'db', 'domain', ...ROOT],
  realtime: ['users', 'chat', 'auth', 'monitoring', 'telemetry', 'cache', 'db', 'domain', ...ROOT],
  // the API descriptions read both edges' schemas; app.ts mounts their routes
  'api-docs': ['http', 'realtime', 'users', 'chat', 'auth', 'monitoring', 'telemetry', 'cache', 'db', 'domain', ...ROOT],
};
const FOLDERS = Object.keys(LAYERS);
const ROOT_FILES = [...ROOT, 'app', 'server'];
const pathOf = (name) => (FOLDERS.includes(name) ? `./src/${name}` : `./src/${name}.ts`);

/** One zone per folder: everything of src/ outside its allow list is out of bounds. */
const layerZones = FOLDERS.map((folder) => ({
  target: `./src/${folder}`,
  from: [...FOLDERS, ...ROOT_FILES].filter((n) => n !== folder && !LAYERS[folder].includes(n)).map(pathOf),
  message: `${folder}/ may import only ${LAYERS[folder].join(', ') || 'nothing of the app'} (docs/design.md, Layout)`,
}));
// The root files themselves: config, errors and db-error import nothing of the app; logger only db-error.
const rootZones = ROOT.map((file) => ({
  target: `./src/${file}.ts`,
  from: [...FOLDERS.map(pathOf), ...ROOT_FILES.filter((n) => n !== file && !(file === 'logger' && n === 'db-error')).map(pathOf)],
  message: `${file}.ts is the floor: it imports nothing of the app${file === 'logger' ? ' but db-error' : ''}`,
}));

/** A folder's index.ts is its face: from outside, `../chat`, never `../chat/history-service`. */
const PAST_THE_FACE = {
  patterns: [
    {
      // ../folder/file (from a folder), ./folder/file (from src/), ../src/folder/file (from jobs/)
      regex: String.raw`^(\.\./(\.\./)*(src/)?|\./)(domain|telemetry|db|cache|auth|monitoring|chat|users|ops|http|realtime|api-docs)/`,
      message: "import the folder's index.ts (its public face), not a file inside it",
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'clients/*/dist/**', 'charts/**', 'k8s/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
    rules: {
      // A cycle anywhere (type imports too: they show a dependency the runtime merely does not load).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    files: ['src/**/*.ts', 'jobs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', PAST_THE_FACE],
      'import-x/no-restricted-paths': ['error', { zones: [...layerZones, ...rootZones] }],
    },
  },
  {
    // Jobs are entries: they may import any folder's face, but not the app's composition.
    files: ['jobs/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './jobs',
              from: ['./src/app.ts', './src/server.ts', './src/http', './src/realtime'],
              message: 'jobs use ops/ and the lower folders, not the server',
            },
          ],
        },
      ],
    },
  },
);
