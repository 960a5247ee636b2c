import type { Config } from 'jest';

// The instance lab (`npm run test:instance`): boots the examples' instances under systemd in
// containers. Needs root, systemd-nspawn and debootstrap (test/instance/lab/setup.sh installs them).
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/instance'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Each file runs its own lab (services and instances); one at a time keeps two cores usable.
  maxWorkers: 1,
  testTimeout: 600_000,
  globalSetup: '<rootDir>/test/instance/lab/global-setup.ts',
};

export default config;
