import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-results.json' },
    coverage: {
      provider: 'v8',
      reporter: ['text-summary', 'text', 'json-summary'],
      include: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      exclude: [
        '**/*.test.ts',
        '**/testing.ts',
        '**/*-cli.ts',
        'apps/*/src/server.ts',
        'apps/worker/src/main.ts',
      ],
      thresholds: {
        'packages/core/src/**': { lines: 95 },
        'apps/api/src/**': { lines: 85 },
      },
    },
  },
})
