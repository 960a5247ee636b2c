import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The instance lab boots real instances as root: `npm run test:instance` (jest.instance.config.ts).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/instance/'],
  // Type checking is done once by `npm run build` (jsii + tsc); jest only transpiles.
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Synthesizing CDK apps is CPU-bound; two workers match the 2-core CI machine.
  maxWorkers: 2,
  testTimeout: 120_000,
  // One temporary folder per run, removed at the end (test/jest-tmpdir.ts).
  globalSetup: '<rootDir>/test/jest-global-setup.ts',
  globalTeardown: '<rootDir>/test/jest-global-teardown.ts',
};

export default config;
