// Lint rules of the house style: floating promises, eqeqeq, no Node built-ins in workflow code or in the
// workflow-safe common/ (Node-only shared code lives in common/node/).
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.tools/**',
      '.data/**',
      'bin/**',
      '*.config.js',
      'eslint.config.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      eqeqeq: ['error', 'always'],
      'object-shorthand': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: ['@temporalio/*/src/*', '@temporalio/*/lib/*'] }],
    },
  },
  {
    // Workflow code and what the workflow bundle may import (common/, except common/node/).
    files: ['workflows/**/*.ts', 'common/**/*.ts'],
    ignores: ['common/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message:
              'Workflow code and common/ must be deterministic: no Node built-ins (Node-only code: common/node/).',
          })),
          patterns: [
            '@temporalio/*/src/*',
            '@temporalio/*/lib/*',
            '../activities/*',
            '../activities/**',
            '../common/node/*',
            './node/*',
          ],
        },
      ],
    },
  },
);
