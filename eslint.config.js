// ESLint: the recommended sets plus the house rules (no nested ternaries: an if or a lookup table reads better).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'fixtures/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        queueMicrotask: 'readonly',
        performance: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        structuredClone: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      'no-nested-ternary': 'error',
      // `const { steps: _steps, ...rest } = r` is how a key is left out of a copy (keeping the others' order).
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // Off on purpose: control-character regexes are how src/core/text.ts and friends strip terminal controls
      // (ESC, C0/C1, DEL) from untrusted network text before printing it.
      'no-control-regex': 'off',
    },
  },
);
