// Layering rules of ../shared/ARCHITECTURE.md, checked in CI (npm run lint:deps).
module.exports = {
  forbidden: [
    {
      // Type-only imports count: a lint.ts that takes its type from the check.ts importing it is a cycle (the
      // result types live in the folder's types.ts). Cycles through a lazy import() are how the CLI loads commands.
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['dynamic-import'] } },
    },
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'layers-point-down',
      severity: 'error',
      from: { path: '^src/(dns|smtp|https|core)/' },
      to: { path: '^src/(mx|auth|probe|send|receive|verify|posture|report|reports|demo)/' },
    },
    {
      // Each check folder under src/auth (spf, dkim, dmarc, …) is a unit: what two of them share lives in
      // src/auth/shared (org-domain, field-list, tag-list), never in one of them for the other to reach into.
      name: 'no-sibling-checks',
      severity: 'error',
      from: { path: '^src/auth/([^/]+)/' },
      to: { path: '^src/auth/', pathNot: ['^src/auth/$1/', '^src/auth/shared/'] },
    },
    {
      // core (results, errors, names, the Context and Resolver interfaces) is the bottom layer: it imports nothing else.
      name: 'core-is-the-bottom',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'checks-do-not-print',
      severity: 'error',
      from: { path: '^src/(mx|auth|probe|send|verify|posture|reports)/' },
      to: { path: '^src/report/|node_modules/(chalk|ora|table)/' },
    },
    {
      name: 'renderers-are-pure',
      severity: 'error',
      from: { path: '^src/report/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(net|dgram|tls|fs|fs/promises|child_process)$' },
    },
    {
      name: 'only-receive-loads-smtp-server',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(receive|demo)/' },
      to: { path: 'node_modules/smtp-server/' },
    },
    {
      name: 'mailauth-only-in-auth-send-receive-verify',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(auth|send|receive|verify|demo)/' },
      to: { path: 'node_modules/mailauth/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
