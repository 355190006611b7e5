/**
 * batchlab's layers, bottom to top. A module may import from its own layer or any layer below,
 * never from one above: data flows dataset → engine → metrics → views, and the two shells
 * (the page in app/, the course-page embed in embed/) sit on top, side by side.
 * `npm run lint:layers` checks it (part of `npm test`); docs/architecture.md explains it.
 */
const LAYERS = ['engine', 'data', 'metrics', 'settings', 'state', 'views', 'shell'];
const FOLDERS = {
  engine: ['engine'],
  data: ['data'],
  metrics: ['metrics'],
  settings: ['settings'],
  state: ['state'],
  views: ['views', 'styles'],
  shell: ['app', 'embed', 'main\\.tsx'],
};
const TESTS = '\\.(test|spec)\\.tsx?$';
/** Test tools that live beside the code they test: shipped code may not import them. */
const TEST_TOOLS = '/testing/';
const pathOf = (layer) => `^src/(${FOLDERS[layer].join('|')})(/|$)`;

const layerRules = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i + 1);
  if (above.length === 0) return [];
  return [
    {
      name: `${layer}-imports-only-down`,
      comment: `${layer} may not import from a layer above it (${above.join(', ')})`,
      severity: 'error',
      from: { path: pathOf(layer), pathNot: TESTS },
      to: { path: above.map(pathOf) },
    },
  ];
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'shells-are-independent',
      comment: 'the page (app/) and the embed (embed/) are two shells: neither imports the other',
      severity: 'error',
      from: { path: '^src/(app|embed)/', pathNot: TESTS },
      to: { path: '^src/(app|embed)/', pathNot: '^src/$1/' },
    },
    {
      name: 'no-cycles',
      comment: 'modules may not import each other in a loop',
      severity: 'error',
      from: { path: '^src/', pathNot: TESTS },
      to: { circular: true },
    },
    {
      name: 'no-e2e-or-bench-code-in-src',
      comment: 'nothing under src/ (test tools included) imports the e2e tests, the benchmark or scripts',
      severity: 'error',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: '^(e2e|bench|scripts)/' },
    },
    {
      name: 'no-test-code-in-shipped-code',
      comment: 'shipped code never imports tests or test tools',
      severity: 'error',
      from: { path: '^src/', pathNot: [TESTS, TEST_TOOLS] },
      to: { path: [TESTS, TEST_TOOLS] },
    },
    {
      name: 'no-unresolvable',
      comment: 'every relative import resolves',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true, dependencyTypesNot: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
