import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConsoleFixture, signToken, startConsoleFixture } from './fixture.ts'

// Roles, lost credentials, a dependency down, and every page at a desktop and a phone size — against the
// API's production bundle (as `pnpm start` runs it), which finds and serves the console build by itself.
let fx: ConsoleFixture
let workflowId: string
let scheduleId: string
let triggerId: string

/** Buttons and links that change something: a viewer must see none of them. */
const WRITE_LABELS =
  /^(New schedule|New workflow|New trigger|Pause|Resume|Trigger now|Edit|Delete|Save|Create|Cancel|Retry|Redrive…|Rotate secret|Schedule it|Apply \d+ suggestions?|Add a step)$/

beforeAll(async () => {
  fx = await startConsoleFixture({ bundle: true })
  const wf = await fx.call<{ id: string }>('POST', '/api/workflows', {
    name: 'report',
    description: 'the nightly report',
    steps: [{ name: 'build', type: 'http', method: 'POST', url: 'https://example.com/reports' }],
  })
  workflowId = wf.body.id
  const s = await fx.call<{ id: string }>('POST', '/api/schedules', {
    workflowId,
    name: 'nightly',
    cronExpression: '30 2 * * *',
    timezone: 'America/New_York',
  })
  scheduleId = s.body.id
  const t = await fx.call<{ id: string }>('POST', '/api/triggers', {
    workflowId,
    name: 'github-push',
    type: 'webhook',
    scheme: 'github',
  })
  triggerId = t.body.id
  expect([wf.status, s.status, t.status]).toEqual([201, 201, 201])
})
afterAll(async () => {
  await fx?.close()
})

async function writeControls(page: Page): Promise<string[]> {
  const names = await page.locator('main button, main a.button').allTextContents()
  return names.map((n) => n.trim()).filter((n) => WRITE_LABELS.test(n))
}

async function open(page: Page, path: string, heading: string | RegExp) {
  await page.goto(`${fx.url}/ui${path}`)
  await page.getByRole('heading', { level: 1, name: heading }).waitFor()
  // Let the page's reads settle (lists, charts).
  await page.waitForLoadState('networkidle')
}

const PAGES: [string, string, string | RegExp][] = [
  ['overview', '/', 'Overview'],
  ['schedules', '/schedules', 'Schedules'],
  ['schedule', '', 'nightly'],
  ['workflows', '/workflows', 'Workflows'],
  ['workflow-page', '', 'report'],
  ['executions', '/executions', 'Executions'],
  ['dead-letter', '/dead-letter', 'Dead-letter queue'],
  ['triggers', '/triggers', 'Triggers'],
  ['trigger', '', 'github-push'],
  ['optimizer', '/optimizer', 'Optimizer'],
  ['workers', '/workers', 'Workers'],
  ['audit', '/audit', 'Audit log'],
]
const pathOf = (name: string, path: string) =>
  name === 'schedule'
    ? `/schedules/${scheduleId}`
    : name === 'workflow-page'
      ? `/workflows/${workflowId}`
      : name === 'trigger'
        ? `/triggers/${triggerId}`
        : path

describe('the console at 1280×800 and 390×844', () => {
  for (const [label, size] of [
    ['desktop', { width: 1280, height: 800 }],
    ['mobile', { width: 390, height: 844 }],
  ] as const) {
    it(`shows every page at ${label} size without a horizontal scroll, a blank page or a CSP violation`, async () => {
      const { page, context, problems } = await fx.page(size)
      try {
        await fx.signIn(page, signToken('admin'))
        for (const [name, path, heading] of PAGES) {
          await open(page, pathOf(name, path), heading)
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
          expect(overflow, `${name} overflows by ${overflow}px`).toBeLessThanOrEqual(0)
          expect((await page.locator('main').textContent())?.trim().length ?? 0, name).toBeGreaterThan(20)
          // One h1, and every form control with an accessible name (a label, or aria-label/-labelledby).
          expect(await page.locator('h1').count(), name).toBe(1)
          const unlabelled = await page.locator('main input, main select, main textarea').evaluateAll((els) =>
            els
              .filter((el) => {
                const c = el as HTMLInputElement
                return !(
                  c.labels?.length ||
                  c.getAttribute('aria-label') ||
                  c.getAttribute('aria-labelledby')
                )
              })
              .map((el) => el.outerHTML.slice(0, 80)),
          )
          expect(unlabelled, name).toEqual([])
          await fx.shot(page, label === 'desktop' ? `page-${name}` : `page-${name}-mobile`)
        }
        expect(problems).toEqual([])
      } finally {
        await context.close()
      }
    })
  }
})

describe('roles and credentials', () => {
  it('shows a viewer no write button on any page, and no audit log', async () => {
    const { page, context, problems } = await fx.page()
    try {
      await fx.signIn(page, signToken('viewer'))
      expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0)
      for (const [name, path, heading] of PAGES.filter(([n]) => n !== 'audit')) {
        await open(page, pathOf(name, path), heading)
        expect(await writeControls(page), name).toEqual([])
      }
      // The same pages offer them to an editor (the check can fail).
      await page.getByRole('button', { name: 'Sign out' }).click()
      await fx.signIn(page, signToken('editor'))
      await open(page, `/schedules/${scheduleId}`, 'nightly')
      expect(await writeControls(page)).toEqual(expect.arrayContaining(['Pause', 'Trigger now', 'Edit']))
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('returns to sign-in when the credential is refused (a revoked API key), then back where it was', async () => {
    const key = await fx.call<{ id: string; key: string }>('POST', '/api/api-keys', {
      name: 'ui',
      role: 'editor',
    })
    expect(key.status).toBe(201)
    const { page, context } = await fx.page()
    try {
      await fx.signIn(page, key.body.key)
      await open(page, '/executions', 'Executions')
      expect((await fx.call('DELETE', `/api/api-keys/${key.body.id}`)).status).toBe(204)
      // The page polls every 5 s; a revoked key is refused by every API replica within 5 s.
      await page.getByText('Your credential was refused or has expired').waitFor({ timeout: 20_000 })
      expect(new URL(page.url()).pathname).toBe('/ui/signin')
      expect(await page.evaluate(() => sessionStorage.getItem('punctual.session'))).toBeNull()
      await fx.shot(page, 'signin-expired')
      await page.getByLabel('API key or token').fill(signToken('viewer'))
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('heading', { level: 1, name: 'Executions' }).waitFor()
    } finally {
      await context.close()
    }
  })

  it('refuses a bad credential at sign-in with a readable message', async () => {
    const { page, context } = await fx.page()
    try {
      await page.goto(`${fx.url}/ui/schedules`)
      await page.getByLabel('API key or token').fill('not-a-token')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page
        .getByRole('alert')
        .filter({ hasText: /401|Unauthorized|credential|token/i })
        .waitFor()
      expect(new URL(page.url()).pathname).toBe('/ui/signin')
    } finally {
      await context.close()
    }
  })
})

describe('a dependency down', () => {
  it('shows a banner on 503 (Redis gone) and keeps the page; it clears once the same request goes through', async () => {
    const { page, context } = await fx.page()
    try {
      await fx.signIn(page, signToken('editor'))
      await open(page, `/schedules/${scheduleId}`, 'nightly')
      await fx.redisProxy.refuse()
      await page.getByRole('button', { name: 'Pause' }).click()
      const banner = page.locator('[data-banner="unavailable"]')
      await banner.waitFor({ timeout: 15_000 })
      expect(await banner.textContent()).toContain('unavailable')
      // The page is still there, with the failure beside the button.
      await page.getByRole('heading', { level: 1, name: 'nightly' }).waitFor()
      await fx.shot(page, 'banner-503')
      await fx.redisProxy.restore()
      // Redis back: the API reconnects by itself; Pause is clicked again until it goes through.
      const pause = page.getByRole('button', { name: 'Pause' })
      const resume = page.getByRole('button', { name: 'Resume' })
      await expect
        .poll(
          async () => {
            if ((await resume.count()) === 0 && (await pause.count()) === 1 && (await pause.isEnabled()))
              await pause.click()
            return resume.count()
          },
          { timeout: 30_000, interval: 1000 },
        )
        .toBe(1)
      expect(await banner.count()).toBe(0)
    } finally {
      await fx.redisProxy.restore().catch(() => {})
      await context.close()
    }
  })
})
