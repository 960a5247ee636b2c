import type { Config } from 'jest';

// The cluster lab (`npm run test:cluster`): a real control plane and two real kubelets (containerd,
// runc) in a network namespace, the library's chart installed with the values the examples'
// templates carry. Needs root (test/cluster/lab/setup.sh installs and builds what it uses).
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  // *.lab.ts, not *.test.ts: the main jest run (roots test/) must not start the lab.
  testMatch: ['**/*.lab.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // One cluster for all files, one file at a time.
  maxWorkers: 1,
  testTimeout: 600_000,
  globalSetup: '<rootDir>/test/cluster/lab/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/lab/global-teardown.ts',
};

export default config;
