// Lint: typescript-eslint's recommended rules, the few that guard security-sensitive habits, type-aware rules
// for dropped promises and incomplete switches, and the layer boundaries of src/ (docs/architecture.md).
const tseslint = require('typescript-eslint');
const boundaries = require('eslint-plugin-boundaries');

// The layers of src/, one folder each. A new folder goes in exactly one of these lists.
// Pure layers compute from their arguments; the others talk to the network, the disk or the API server.
const PURE_LAYERS = ['reference', 'policy', 'admission', 'convert'];
const IO_LAYERS = [
  'engine',
  'registry',
  'verifiers',
  'kube',
  'server',
  'policy-sources',
  'tls',
  'observability',
  'trust-roots',
  'shared-cache',
];
// Layers that only the listed layers may import (an empty list: none). cli/ is the entry point.
const IMPORTED_ONLY_BY = {
  cli: [],
  app: ['cli'],
};
const LAYERS = [...PURE_LAYERS, ...IO_LAYERS, ...Object.keys(IMPORTED_ONLY_BY)];

// Node modules and packages that do I/O: a pure layer may import their types, never their code.
const IO_CORE_MODULES = [
  'fs',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'dns',
  'tls',
].flatMap((m) => [m, `node:${m}`]);
const IO_PACKAGES = [
  'undici',
  '@kubernetes/client-node',
  'fastify',
  'fastify/*',
  'pino',
  'prom-client',
  'oci-*',
  'iovalkey',
];

const layerPolicies = [
  {
    from: { element: { types: PURE_LAYERS } },
    disallow: { to: { element: { types: LAYERS.filter((l) => !PURE_LAYERS.includes(l)) } } },
    message: 'a pure layer ({{from.element.type}}) must not import the {{to.element.type}} layer',
  },
  {
    from: { element: { types: PURE_LAYERS } },
    disallow: {
      to: { module: { origin: 'core', source: IO_CORE_MODULES } },
      dependency: { kind: 'value' },
    },
    message: 'a pure layer ({{from.element.type}}) must not import the I/O module {{to.module.source}}',
  },
  {
    from: { element: { types: PURE_LAYERS } },
    disallow: {
      to: { module: { origin: 'external', source: IO_PACKAGES } },
      dependency: { kind: 'value' },
    },
    message: 'a pure layer ({{from.element.type}}) must not import the I/O package {{to.module.source}}',
  },
  ...Object.entries(IMPORTED_ONLY_BY).map(([layer, importers]) => ({
    // Files outside every layer (src/errors.ts) count as importers that are not listed.
    from: [{ element: { types: { noneOf: [layer, ...importers] } } }, { element: { isUnknown: true } }],
    disallow: { to: { element: { type: layer } } },
    message: `${importers.length > 0 ? `only ${importers.join('/, ')}/` : 'no layer'} may import ${layer}/`,
  })),
];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its rejection, and a switch over a union must name every
    // member (a `default` does not count as naming one), so adding a member shows every place to update.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': [
        ...LAYERS.map((layer) => ({ type: layer, pattern: `src/${layer}`, partialMatch: false })),
      ],
      // Files directly under src/ belong to no layer; every layer may import them.
      'boundaries/files': [{ category: 'shared', pattern: 'src/*.ts' }],
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        { default: 'allow', checkAllOrigins: true, policies: layerPolicies },
      ],
      // A new folder under src/ must be put in one of the lists above before it lints.
      'boundaries/no-unknown-files': 'error',
    },
  },
);
