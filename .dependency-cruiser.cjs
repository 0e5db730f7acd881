// Layer rules that `npm test` checks (npm run lint:deps): the architecture of README "Layout".
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-app-to-app',
      comment: 'Apps never import each other; each owns its outbound clients (go-kit addsvc).',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-not-apps',
      comment: 'Libraries never import apps.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'contracts-stand-alone',
      comment: 'The contracts are wire DTOs and types: they import nothing of the project.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^(libs/common|apps)/' },
    },
    {
      name: 'domain-entry-without-http',
      comment:
        'The domain-safe entry of libs/common (@app/common) must not reach HTTP, through any file.',
      severity: 'error',
      from: {
        path: '^libs/common/src/',
        pathNot: ['^libs/common/src/(http|logging|metrics)/', '\\.spec\\.ts$'],
      },
      to: {
        path: [
          '^libs/common/src/(http|logging|metrics)/',
          'node_modules/(fastify|@nestjs/platform-fastify|undici|pino|nestjs-pino|prom-client)/',
        ],
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'Every source file is reachable from an entry or a test.',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: [
          '(^|/)\\.[^/]+\\.(c|m)?js$',
          '\\.d\\.ts$',
          '(^|/)tsconfig\\.json$',
          '\\.spec\\.ts$',
          '\\.e2e\\.ts$',
          '\\.figures\\.ts$',
          '(^|/)main\\.ts$',
          '^libs/[^/]+/src/index\\.ts$',
          '^libs/common/src/[^/]+/index\\.ts$',
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
