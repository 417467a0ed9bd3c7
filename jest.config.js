// Three projects: fast pure unit tests, integration tests against real registries and signers, and e2e
// tests against a real Kubernetes API server (hack/test.sh runs e2e as a second jest run; hack/e2e.sh runs it alone).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true, diagnostics: false }];
// The shared matchers (toThrowWithCode), registered for every project.
const MATCHERS = '<rootDir>/test/harness/matchers.ts';
const LONG_TIMEOUT = '<rootDir>/test/harness/long-timeout.ts';
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFilesAfterEnv: [MATCHERS],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
      setupFilesAfterEnv: [MATCHERS, LONG_TIMEOUT],
    },
    {
      // Against a real kube-apiserver + etcd (hack/control-plane.sh) and the same registries: npm run e2e.
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/harness/global-teardown.ts',
      setupFilesAfterEnv: [MATCHERS, LONG_TIMEOUT],
    },
  ],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.types.ts'],
  // Coverage gate: raise as the suite grows; never lower without a note in the PR.
  coverageThreshold: { global: { lines: 85, branches: 75, functions: 80, statements: 85 } },
};
