// Lint rules for every TypeScript file (npm run lint). typescript-eslint because its rules read the
// types (a floating promise is only visible with them); formatting is Prettier's, so
// eslint-config-prettier turns off the rules that would argue with it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'vendor/', 'data/', 'page/', 'bench/.tmp/', 'test/.tmp/', 'docker/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      // Without it import-x parses the imported .ts files as JavaScript, fails silently, and sees no cycle.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      // The one-way flow of data (ARCHITECTURE.md): no module reaches back up through its importers.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // node:test's describe() and test() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A Fastify plugin is an async function whether or not it awaits.
      '@typescript-eslint/require-await': 'off',
      // One function, one job: the composition root (src/server/app.ts) and the rest stay readable.
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      // One concept per file: a file past this is two.
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // A test file's describe() callback is a list of tests, not one function to read at once.
    files: ['test/**/*.test.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  prettier,
);
