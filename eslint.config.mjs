// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The domain knows nothing of HTTP (go-kit): no Fastify, no Nest HTTP exceptions, no HTTP
    // client, not even through the common library's HTTP entry. Everything is domain code but the
    // transport and adapter files listed in `ignores`.
    files: ['apps/*/src/**/*.ts', 'libs/common/src/**/*.ts', 'libs/contracts/src/**/*.ts'],
    ignores: [
      '**/*.spec.ts',
      '**/main.ts',
      '**/*.app.ts',
      '**/*.module.ts',
      '**/*.controller.ts',
      '**/*.guard.ts',
      '**/*.decorator.ts',
      '**/*.filter.ts',
      '**/*.readiness.ts',
      '**/*.client.ts',
      '**/*.verifier.ts',
      'apps/webapp/src/clients/**',
      'libs/common/src/http/**',
      'libs/common/src/logging/**',
      'libs/common/src/metrics/**',
      'libs/common/src/observability/**',
      'libs/common/src/errors/sentry-error-reporter.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'fastify', message: 'Domain code knows nothing of HTTP.' },
            { name: '@nestjs/platform-fastify', message: 'Domain code knows nothing of HTTP.' },
            { name: '@app/common/http', message: 'Domain code knows nothing of HTTP.' },
            { name: 'node:http', message: 'Domain code knows nothing of HTTP.' },
            { name: 'undici', message: 'Outbound calls go through ports.' },
          ],
          patterns: [
            {
              group: ['@nestjs/common'],
              importNames: ['HttpException', 'BadRequestException', 'UnauthorizedException', 'ForbiddenException', 'NotFoundException', 'HttpStatus', 'Req', 'Res', 'Get', 'Post', 'Controller'],
              message: 'Domain code knows nothing of HTTP.',
            },
            { group: ['**/http', '**/http/*'], message: 'Domain code knows nothing of HTTP.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'e2e/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
