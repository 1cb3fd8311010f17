import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConsoleFixture, signToken, startConsoleFixture } from './fixture.ts'

// 429: the console waits the answer's Retry-After, says so, and tries again — against a real API whose
// per-tenant limit is low. The limit's window is a minute, so this test waits up to a minute by design.
const LIMIT = 8
let fx: ConsoleFixture

beforeAll(async () => {
  fx = await startConsoleFixture({ env: { API_RATE_LIMIT_PER_MINUTE: String(LIMIT) } })
})
afterAll(async () => {
  await fx?.close()
})

describe('rate limited', () => {
  it('waits Retry-After on 429, shows that it waits, then signs in', { timeout: 120_000 }, async () => {
    // Use up the tenant's minute.
    let refused: Response | undefined
    for (let i = 0; i < LIMIT * 3 && !refused; i++) {
      const res = await fetch(`${fx.url}/api/me`, {
        headers: { authorization: `Bearer ${signToken('viewer')}` },
      })
      if (res.status === 429) refused = res
    }
    expect(refused?.status).toBe(429)
    const retryAfter = Number(refused?.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    const { page, context, problems } = await fx.page()
    try {
      const started = Date.now()
      await page.goto(`${fx.url}/ui/`)
      await page.getByLabel('API key or token').fill(signToken('admin'))
      await page.getByRole('button', { name: 'Sign in' }).click()
      const banner = page.locator('[data-banner="rate-limited"]')
      await banner.waitFor()
      expect(await banner.textContent()).toMatch(/Too many requests: retrying in \d+ s/)
      await fx.shot(page, 'banner-429')
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 90_000 })
      // It waited for the window to end rather than failing or hammering the API.
      expect(Date.now() - started).toBeGreaterThanOrEqual((retryAfter - 2) * 1000)
      await page.locator('[data-figure="schedules-active"]').waitFor()
      expect(await banner.count()).toBe(0)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})
