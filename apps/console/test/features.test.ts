import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConsoleFixture, signToken, startConsoleFixture } from './fixture.ts'

// Triggers (the secret shown once, rotation, recent executions), the optimizer (chart, apply in one click),
// the workflow editor's JSON view with problems beside the steps' fields, and DST days among a schedule's
// next fires — in a real Chromium against a real API.
let fx: ConsoleFixture
let workflowId: string

const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 200 })

beforeAll(async () => {
  fx = await startConsoleFixture()
  const wf = await fx.call<{ id: string }>('POST', '/api/workflows', {
    name: 'sync',
    steps: [{ name: 'call', type: 'http', method: 'POST', url: 'https://example.com/sync' }],
  })
  expect(wf.status).toBe(201)
  workflowId = wf.body.id
})
afterAll(async () => {
  await fx?.close()
})

describe('triggers', () => {
  it('creates a webhook trigger, shows its secret once and its URL, rotates it, lists its deliveries', async () => {
    const { page, context, problems } = await fx.page()
    try {
      await fx.signIn(page, signToken('editor'))
      await page.getByRole('link', { name: 'Triggers' }).click()
      await page.getByRole('link', { name: 'New trigger' }).click()
      await page.getByLabel('Workflow').selectOption({ label: 'sync' })
      await page.getByLabel('Name').fill('github-push')
      await page.getByLabel('Signature scheme').selectOption('github')
      await page.getByRole('button', { name: 'Create' }).click()
      await page.getByRole('heading', { level: 1, name: 'github-push' }).waitFor()
      const secret = (await page.locator('[data-secret]').textContent()) ?? ''
      expect(secret).toMatch(/^whsec_/)
      const url = (await page.locator('[data-webhook-url]').textContent()) ?? ''
      expect(url).toMatch(new RegExp(`^${fx.url}/hooks/[0-9a-f-]{36}$`))
      await fx.shot(page, 'trigger-secret')

      // Shown once: a reload no longer shows it.
      await page.reload()
      await page.getByRole('heading', { level: 1, name: 'github-push' }).waitFor()
      expect(await page.locator('[data-secret]').count()).toBe(0)

      // A signed delivery with the secret starts an execution, listed on the trigger's page.
      const body = JSON.stringify({ ref: 'refs/heads/main' })
      const signature = createHmac('sha256', secret).update(body).digest('hex')
      const delivered = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${signature}`,
          'x-github-event': 'push',
          'x-github-delivery': 'delivery-1',
        },
        body,
      })
      expect(delivered.status).toBe(202)
      await page
        .getByRole('region', { name: 'Recent executions of this trigger' })
        .getByText('webhook')
        .waitFor()
      await fx.shot(page, 'triggers')

      page.once('dialog', (d) => d.accept())
      await page.getByRole('button', { name: 'Rotate secret' }).click()
      await poll(() => page.locator('[data-secret]').textContent()).toMatch(/^whsec_/)
      expect(await page.locator('[data-secret]').textContent()).not.toBe(secret)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})

describe('optimizer', () => {
  it('charts the busiest seconds and applies the suggestions in one click', async () => {
    for (let i = 0; i < 6; i++) {
      const s = await fx.call('POST', '/api/schedules', {
        workflowId,
        name: `hourly-${i}`,
        cronExpression: '0 * * * *',
      })
      expect(s.status).toBe(201)
    }
    const before = await fx.call<{ suggestions: unknown[] }>('GET', '/api/schedules/optimizer')
    expect(before.body.suggestions.length).toBeGreaterThan(0)
    const { page, context, problems } = await fx.page()
    try {
      await fx.signIn(page, signToken('editor'))
      await page.getByRole('link', { name: 'Optimizer' }).click()
      await page.locator('div.chart canvas').first().waitFor()
      await fx.shot(page, 'optimizer')
      const apply = page.getByRole('button', { name: /^Apply \d+ suggestions?$/ })
      const label = (await apply.textContent()) ?? ''
      expect(label).toBe(
        `Apply ${before.body.suggestions.length} suggestion${before.body.suggestions.length === 1 ? '' : 's'}`,
      )
      await apply.click()
      await poll(() => page.getByRole('status').first().textContent()).toMatch(/^Applied \d+/)
      const schedules = await fx.call<{
        items: { name: string; cronExpression: string; jitterMs: number }[]
      }>('GET', '/api/schedules?limit=100')
      const changed = schedules.body.items.filter(
        (s) => s.name.startsWith('hourly-') && (s.cronExpression !== '0 * * * *' || s.jitterMs > 0),
      )
      expect(changed.length).toBeGreaterThan(0)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})

describe('workflow editor', () => {
  it('edits steps in the JSON view and shows the problem beside the step field it names', async () => {
    const { page, context, problems } = await fx.page()
    try {
      await fx.signIn(page, signToken('editor'))
      await page.goto(`${fx.url}/ui/workflows/${workflowId}`)
      await page.getByRole('heading', { level: 1, name: 'sync' }).waitFor()
      // A step URL that is not a URL: the API's problem names steps.0.url, shown beside that field.
      await page.getByLabel('URL').fill('not a url')
      await page.getByRole('button', { name: 'Save' }).click()
      await page.locator('[data-field-error="steps.0.url"]').waitFor()
      await fx.shot(page, 'workflow-error')
      await page.getByLabel('URL').fill('https://example.com/sync')
      await page.getByLabel('JSON view').check()
      const json = JSON.parse(await page.getByLabel('Steps (JSON)').inputValue())
      expect(json).toEqual([{ name: 'call', type: 'http', method: 'POST', url: 'https://example.com/sync' }])
      await page
        .getByLabel('Steps (JSON)')
        .fill(JSON.stringify([...json, { name: 'cool-down', type: 'delay', ms: 250 }], null, 2))
      await page.getByRole('button', { name: 'Save' }).click()
      await poll(async () => {
        const wf = await fx.call<{ steps: { name: string }[] }>('GET', `/api/workflows/${workflowId}`)
        return wf.body.steps.map((s) => s.name)
      }).toEqual(['call', 'cool-down'])
      // Back to the form: the delay step is there as fields.
      await page.getByLabel('JSON view').uncheck()
      await page.getByRole('group', { name: 'Step 2' }).waitFor()
      expect(await page.getByLabel('Wait (ms)').inputValue()).toBe('250')
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})

describe('a schedule page', () => {
  it("marks the fires that fall on a DST transition day in the schedule's own zone", async () => {
    // Noon on 14 March, New York: 2027-03-14 is the spring-forward Sunday, 2028-03-14 is not.
    const s = await fx.call<{ id: string }>('POST', '/api/schedules', {
      workflowId,
      name: 'pi-day',
      cronExpression: '0 12 14 3 *',
      timezone: 'America/New_York',
    })
    expect(s.status).toBe(201)
    const { page, context } = await fx.page({ width: 390, height: 844 })
    try {
      await fx.signIn(page, signToken('viewer'))
      await page.goto(`${fx.url}/ui/schedules/${s.body.id}`)
      const fires = page.locator('ol.fires li')
      await poll(() => fires.count()).toBe(10)
      expect(await fires.nth(0).textContent()).toContain('14 Mar 2027, 12:00:00 GMT-4')
      expect(await fires.nth(0).textContent()).toContain('DST transition day')
      expect(await fires.nth(1).textContent()).not.toContain('DST transition day')
      await fx.shot(page, 'schedule-dst-mobile')
    } finally {
      await context.close()
    }
  })
})

describe('the schedules list', () => {
  it('searches by name on the server and filters by state', async () => {
    const { page, context } = await fx.page()
    try {
      await fx.signIn(page, signToken('viewer'))
      await page.getByRole('link', { name: 'Schedules' }).click()
      const rows = page.getByRole('region', { name: 'Schedules' }).locator('tbody tr')
      await poll(() => rows.count()).toBe(7)
      await page.getByLabel('Search').fill('PI-')
      await poll(() => rows.allTextContents()).toEqual([expect.stringContaining('pi-day')])
      await page.getByLabel('Search').fill('hourly')
      await poll(() => rows.count()).toBe(6)
      await page.getByLabel('State').selectOption('paused')
      await poll(() => rows.count()).toBe(0)
    } finally {
      await context.close()
    }
  })
})

describe('acting on a schedule and an execution', () => {
  it('edits a schedule in its form, triggers it, and cancels the queued execution from its page', async () => {
    const created = await fx.call<{ id: string }>('POST', '/api/schedules', {
      workflowId,
      name: 'to-edit',
      cronExpression: '0 6 * * *',
    })
    expect(created.status).toBe(201)
    const { page, context, problems } = await fx.page()
    try {
      await fx.signIn(page, signToken('editor'))
      await page.goto(`${fx.url}/ui/schedules/${created.body.id}`)
      await page.getByRole('link', { name: 'Edit' }).click()
      await page.getByLabel('Cron expression').fill('15 7 * * 1-5')
      await page.getByLabel('Time zone').fill('Europe/Paris')
      await page.getByRole('button', { name: 'Save' }).click()
      await page.getByRole('heading', { level: 1, name: 'to-edit' }).waitFor()
      await poll(() => page.locator('dl.facts').textContent()).toContain('15 7 * * 1-5 in Europe/Paris')
      const saved = await fx.call<{ cronExpression: string; timezone: string }>(
        'GET',
        `/api/schedules/${created.body.id}`,
      )
      expect([saved.body.cronExpression, saved.body.timezone]).toEqual(['15 7 * * 1-5', 'Europe/Paris'])

      // No worker in this file: the manual run stays queued until it is cancelled from its page.
      await page.getByRole('button', { name: 'Trigger now' }).click()
      await page.locator('[data-outcome="queued"]').first().getByRole('link', { name: 'details' }).click()
      await page.getByRole('heading', { level: 1, name: /^Execution/ }).waitFor()
      page.once('dialog', (d) => d.accept())
      await page.getByRole('button', { name: 'Cancel' }).click()
      await poll(() => page.locator('dl.facts .status').first().textContent()).toBe('cancelled')
      expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})

describe('a long history', () => {
  it('shows the newest 50 runs on the timeline and older ones on demand', async () => {
    const created = await fx.call<{ id: string }>('POST', '/api/schedules', {
      workflowId,
      name: 'busy',
      cronExpression: '0 5 * * *',
    })
    expect(created.status).toBe(201)
    for (let i = 0; i < 55; i++) {
      expect((await fx.call('POST', `/api/schedules/${created.body.id}/trigger`, {})).status).toBe(202)
    }
    const { page, context } = await fx.page()
    try {
      await fx.signIn(page, signToken('viewer'))
      await page.goto(`${fx.url}/ui/schedules/${created.body.id}`)
      const entries = page.locator('ol.timeline li')
      await poll(() => entries.count()).toBe(50)
      await page.getByRole('button', { name: 'Show older' }).click()
      await poll(() => entries.count()).toBe(55)
      expect(await page.getByRole('button', { name: 'Show older' }).count()).toBe(0)
    } finally {
      await context.close()
    }
  })
})
