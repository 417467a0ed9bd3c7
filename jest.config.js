// Two projects: fast pure unit tests, and integration tests against real registries and signers.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true, diagnostics: false }];
const common = { testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest }, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
      testTimeout: 120000,
    },
  ],
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.types.ts'],
  // Coverage gate: raise as the suite grows; never lower without a note in the PR.
  coverageThreshold: { global: { lines: 85, branches: 75, functions: 80, statements: 85 } },
};
