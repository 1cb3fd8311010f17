import { defineProject } from 'vitest/config'

// Browser tests: one Chromium per file, a real API (and worker where a fire must happen) per file.
export default defineProject({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/global-setup.ts'],
  },
})
