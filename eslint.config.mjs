// ESLint flat config: the recommended rules of ESLint and typescript-eslint over every TypeScript
// file of the repository (library, CLI, runtime, tests, examples, scripts, benchmarks).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'build/**', 'dist/**', 'cdk.out/**', 'node_modules/**', 'coverage/**', '.venv*/**', '.validate/**',
      'runtime/dist/**', 'bench/.out/**', 'integ/**/*.snapshot/**', 'integ/**/cdk-integ.out.*/**',
      '**/*.d.ts', 'lib/**/*.js', 'bin/**/*.js', 'examples/**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Unused arguments named _x are deliberate (interface shapes, callbacks).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A variable read by a closure declared before its single assignment cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests walk synthesized CloudFormation JSON (untyped by nature) and load modules afresh
    // inside jest.isolateModules.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
