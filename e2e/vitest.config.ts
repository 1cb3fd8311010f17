import { defineProject } from 'vitest/config'

// Tests that run the API and real worker processes together (see fleet.ts).
export default defineProject({
  test: { include: ['*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
})
