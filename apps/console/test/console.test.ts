import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConsoleFixture, signToken, startConsoleFixture, startTarget, type Target } from './fixture.ts'

// The console in a real Chromium against a real API and worker: sign in, create a workflow and a schedule in
// the forms, watch a fire appear on its timeline, pause it, send an execution to the dead-letter queue and
// redrive it from the page.
/** Polls a page read until it matches: generous, for a loaded machine. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 200 })

let fx: ConsoleFixture
let ok: Target
let failing: Target

beforeAll(async () => {
  ;[fx, ok, failing] = await Promise.all([
    startConsoleFixture({ worker: true }),
    startTarget(200),
    startTarget(500),
  ])
})
afterAll(async () => {
  await fx?.close()
  await ok?.close()
  await failing?.close()
})

describe('the console, as an admin', () => {
  it('signs in, creates a workflow and a schedule, shows a fire on the timeline, pauses it', async () => {
    const { page, context, problems } = await fx.page()
    try {
      await fx.signIn(page, signToken('admin'))
      await poll(() => page.locator('[data-role]').textContent()).toMatch(/acme · admin/)

      // A workflow, through the form (one http step to the local target).
      await page.getByRole('link', { name: 'Workflows' }).click()
      await page.getByRole('link', { name: 'New workflow' }).click()
      await page.getByLabel('Name', { exact: true }).first().fill('ping')
      await page.getByLabel('URL').fill(ok.url)
      await page.getByRole('button', { name: 'Create' }).click()
      await page.getByRole('heading', { name: 'Used by' }).waitFor()
      await fx.shot(page, 'workflow')

      // A schedule firing every 2 s, through the form; a bad cron first: the problem shows beside the field.
      await page.getByRole('link', { name: 'Schedule it' }).click()
      await page.getByLabel('Name').fill('every-2s')
      await page.getByLabel('Cron expression').fill('*/2 * * * * * *')
      await page.getByRole('button', { name: 'Create' }).click()
      const cronError = page.locator('[data-field-error="cronExpression"]')
      await cronError.waitFor()
      expect(await cronError.textContent()).not.toBe('')
      await poll(() => page.getByLabel('Cron expression').getAttribute('aria-invalid')).toBe('true')
      await fx.shot(page, 'schedule-form-error')
      await page.getByLabel('Cron expression').fill('*/2 * * * * *')
      await page.getByLabel('Time zone').fill('America/New_York')
      await page.getByRole('button', { name: 'Create' }).click()
      await page.getByRole('heading', { name: 'every-2s' }).waitFor()
      // Next fires in the schedule's own zone.
      await poll(() => page.locator('ol.fires li').first().textContent()).toMatch(/E[SD]T|GMT-/)

      // The worker fires it: a succeeded entry appears on the timeline (the page polls).
      await page.locator('[data-outcome="succeeded"]').first().waitFor({ timeout: 30_000 })
      await fx.shot(page, 'schedule')

      await page.getByRole('button', { name: 'Pause' }).click()
      await page.getByRole('button', { name: 'Resume' }).waitFor()
      await poll(() => page.locator('dl.facts .status').first().textContent()).toBe('paused')
      const schedules = await fx.call<{ items: { name: string; state: string }[] }>('GET', '/api/schedules')
      expect(schedules.body.items.find((s) => s.name === 'every-2s')?.state).toBe('paused')
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('shows a skipped fire with its reason on the timeline, and the overview with figures', async () => {
    // A run takes 3 s and the schedule fires every second with overlapPolicy skip: fires are skipped (overlap).
    const wf = await fx.call<{ id: string }>('POST', '/api/workflows', {
      name: 'slow',
      steps: [{ name: 'wait', type: 'delay', ms: 3000 }],
    })
    const schedule = await fx.call<{ id: string }>('POST', '/api/schedules', {
      workflowId: wf.body.id,
      name: 'every-second',
      cronExpression: '* * * * * *',
      overlapPolicy: 'skip',
    })
    expect(schedule.status).toBe(201)
    const { page, context, problems } = await fx.page()
    try {
      await fx.signIn(page, signToken('viewer'))
      await page.goto(`${fx.url}/ui/schedules/${schedule.body.id}`)
      const skipped = page.locator('[data-outcome="skipped"]').first()
      await skipped.waitFor({ timeout: 30_000 })
      expect(await skipped.textContent()).toContain('reason: overlap')
      await fx.shot(page, 'schedule-skipped')
      expect((await fx.call('POST', `/api/schedules/${schedule.body.id}/pause`, {})).status).toBe(200)

      // The overview: schedules by state, firing lag, executions per minute, the worker and its load.
      await page.getByRole('link', { name: 'Overview' }).click()
      await page.locator('[data-figure="schedules-paused"]').waitFor()
      await poll(() => page.locator('[data-figure="throughput-total"]').textContent()).toMatch(
        /^[1-9]\d* executions? ended/,
      )
      await page.getByRole('region', { name: 'Workers and their load' }).locator('meter').first().waitFor()
      expect(await page.getByText('No fire in the last hour.').count()).toBe(0)
      await fx.shot(page, 'overview')
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })

  it('sends an execution to the dead-letter queue and redrives it from the page (dry-run count first)', async () => {
    const wf = await fx.call<{ id: string }>('POST', '/api/workflows', {
      name: 'always-500',
      steps: [{ name: 'call', type: 'http', method: 'POST', url: failing.url }],
    })
    expect(wf.status).toBe(201)
    const schedule = await fx.call<{ id: string }>('POST', '/api/schedules', {
      workflowId: wf.body.id,
      name: 'doomed',
      cronExpression: '0 0 1 1 *',
      retryPolicy: { maxAttempts: 1 },
    })
    expect(schedule.status).toBe(201)
    const { page, context, problems } = await fx.page()
    try {
      await fx.signIn(page, signToken('editor'))
      await page.goto(`${fx.url}/ui/schedules/${schedule.body.id}`)
      await page.getByRole('button', { name: 'Trigger now' }).click()
      await page.locator('[data-outcome="failed"]').first().waitFor({ timeout: 30_000 })

      // The execution's page: the step with its status, HTTP status, response excerpt and the error class.
      await page.locator('[data-outcome="failed"]').first().getByRole('link', { name: 'details' }).click()
      await page.getByRole('heading', { name: /^Execution/ }).waitFor()
      await poll(() => page.locator('[data-error-class]').textContent()).toBe('retryable')
      await poll(() => page.getByRole('region', { name: 'Steps' }).textContent()).toContain('500')
      await poll(() => page.getByRole('region', { name: 'Steps' }).textContent()).toContain('boom')
      await fx.shot(page, 'execution')

      await page.getByRole('link', { name: 'Dead letters' }).click()
      await page.getByLabel('Workflow').selectOption({ label: 'always-500' })
      await page.getByRole('button', { name: 'Redrive…' }).click()
      await poll(() => page.locator('[data-dry-run]').getAttribute('data-dry-run')).toBe('1')
      await poll(() => page.locator('[data-dry-run]').textContent()).toContain('1 dead execution matches')
      await fx.shot(page, 'dead-letter')
      await page.getByRole('button', { name: 'Redrive 1' }).click()
      await poll(() => page.locator('[data-redrive-result]').textContent()).toBe('Redrove 1 execution.')

      const redrives = await fx.call<{ items: { id: string; kind: string; workflowId: string }[] }>(
        'GET',
        '/api/executions?limit=50',
      )
      const redrive = redrives.body.items.filter((e) => e.kind === 'redrive' && e.workflowId === wf.body.id)
      expect(redrive).toHaveLength(1)
      const redriveId = redrive[0]?.id ?? ''

      // The redrive dies too (the target still answers 500): retry it from its own page.
      await page.goto(`${fx.url}/ui/executions/${redriveId}`)
      await poll(() => page.locator('dl.facts .status').first().textContent()).toBe('dead')
      await page.getByRole('button', { name: 'Retry' }).click()
      await page.waitForURL((u) => !u.pathname.endsWith(redriveId))
      await poll(() => page.locator('dl.facts').textContent()).toContain(`Redrive of${redriveId.slice(-8)}`)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})
