import { nextRuns, OptimizerReport, uuidv7 } from '@punctual/core'
import { createExecutionsRepo, refreshSchedulePatterns } from '@punctual/db'
import { Value } from 'typebox/value'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, setup, type TestContext } from './helper.ts'

// The clock: Saturday 2027-03-13 12:00 UTC. New York springs forward the next night (02:00 EST → 03:00 EDT,
// 2027-03-14T07:00Z), inside a 24 h window.
const NOW = Date.parse('2027-03-13T12:00:00Z')
const NINE_EST = '2027-03-13T14:00:00.000Z'
const GAP_END = '2027-03-14T07:00:00.000Z'
const SECOND = 1000
const DAY = 86_400_000
let ctx: TestContext
let wf: { id: string }
/** The app's clock (moved by the kept-plan test, put back after). */
let clock = NOW

interface Schedule {
  id: string
  version: number
  cronExpression: string
  timezone: string
  jitterMs: number
  metadata: Record<string, unknown>
}
interface Report {
  generatedAt: string
  from: string
  to: string
  peak: { at: string | null; fires: number }
  hotspots: { at: string; fires: number; scheduleIds: string[] }[]
  suggestions: {
    scheduleId: string
    version: number
    reason: string
    current: { cronExpression: string; jitterMs: number }
    suggested: { cronExpression?: string; jitterMs?: number }
  }[]
  suggestionsTotal: number
  peakAfterSuggestions: { at: string | null; fires: number }
  patterns: {
    scheduleId: string
    runs: number
    p50DurationMs: number | null
    p95DurationMs: number | null
    failureRate: number
    lateP95Ms: number | null
    overlapRisk: boolean
  }[]
  patternsTotal: number
}

const nineAm: Schedule[] = []
let pinned: Schedule
const springing: Schedule[] = []

async function create(payloads: Record<string, unknown>[], tenant = 'acme'): Promise<Schedule[]> {
  const out: Schedule[] = []
  for (let i = 0; i < payloads.length; i += 50) {
    const batch = await Promise.all(
      payloads.slice(i, i + 50).map((p) =>
        ctx.app.inject({
          method: 'POST',
          url: '/api/schedules',
          headers: ctx.auth(tenant, 'editor'),
          payload: { workflowId: wf.id, ...p },
        }),
      ),
    )
    for (const res of batch) {
      expect(res.statusCode, res.body).toBe(201)
      out.push(res.json())
    }
  }
  return out
}

async function report(query = '', tenant = 'acme') {
  return ctx.app.inject({
    method: 'GET',
    url: `/api/schedules/optimizer${query}`,
    headers: ctx.auth(tenant, 'viewer'),
  })
}

async function apply(body: unknown, role: 'editor' | 'viewer' = 'editor') {
  return ctx.app.inject({
    method: 'POST',
    url: '/api/schedules/optimizer/apply',
    headers: ctx.auth('acme', role),
    payload: body as Record<string, unknown>,
  })
}

async function getSchedule(id: string): Promise<Schedule> {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/schedules/${id}`, headers: ctx.auth() })
  return res.json()
}

beforeAll(async () => {
  ctx = await setup({ now: () => new Date(clock) })
  wf = await createWorkflow(ctx)
  const ny = { timezone: 'America/New_York' }
  nineAm.push(
    ...(await create(
      Array.from({ length: 1000 }, (_, i) => ({ name: `nine-${i}`, cronExpression: '0 9 * * *', ...ny })),
    )),
  )
  ;[pinned] = await create([
    { name: 'pinned', cronExpression: '0 9 * * *', metadata: { pinned: true }, ...ny },
  ])
  springing.push(
    ...(await create(
      Array.from({ length: 3 }, (_, i) => ({ name: `spring-${i}`, cronExpression: '30 2 * * *', ...ny })),
    )),
  )
  // 200 scattered over the day (UTC), never at 14:00:00 or 07:00:00
  await create(
    Array.from({ length: 200 }, (_, i) => ({
      name: `scattered-${i}`,
      cronExpression: `${(i * 7) % 60} ${(i * 5) % 24} * * *`,
    })),
  )
}, 120_000)
afterAll(async () => {
  await ctx?.close()
})

describe('GET /api/schedules/optimizer', () => {
  it('finds the 1,000 schedules at 09:00 New York and spreads them within 09:00', async () => {
    const res = await report('?hours=24')
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json() as Report
    // The answer (written from kept JSON fragments, not by the schema's serializer) is the schema's shape.
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect([...Value.Errors(OptimizerReport, body)]).toEqual([])
    expect(body.from).toBe(new Date(NOW).toISOString())
    expect(body.to).toBe(new Date(NOW + DAY).toISOString())
    expect(body.peak).toEqual({ at: NINE_EST, fires: 1001 })
    expect(body.hotspots).toHaveLength(20)
    expect(body.hotspots[0]).toMatchObject({ at: NINE_EST, fires: 1001 })
    expect(body.hotspots[0]!.scheduleIds).toHaveLength(10)
    const ids = new Set([...nineAm.map((s) => s.id), pinned.id])
    for (const id of body.hotspots[0]!.scheduleIds) expect(ids.has(id)).toBe(true)
    // The spring-forward day: 02:30 does not exist, the fixed-time fire moves to 03:00 EDT.
    expect(body.hotspots[1]).toEqual({
      at: GAP_END,
      fires: 3,
      scheduleIds: expect.arrayContaining(springing.map((s) => s.id)),
    })

    expect(body.peakAfterSuggestions.fires).toBeLessThanOrEqual(20)
    expect(body.suggestionsTotal).toBeGreaterThanOrEqual(900)
    expect(body.suggestions.length).toBe(Math.min(1000, body.suggestionsTotal))
    const byId = new Map(nineAm.map((s) => [s.id, s]))
    const moved = new Set(body.suggestions.map((s) => s.scheduleId))
    expect(moved.has(pinned.id)).toBe(false)
    // The gap's fire stays at the gap's end whatever its second: moving those would not help.
    for (const s of springing) expect(moved.has(s.id)).toBe(false)
    for (const s of body.suggestions) {
      expect(s.version).toBe(1)
      expect(s.reason).toEqual(expect.any(String))
      // Same minute, hour and days; only the second is chosen.
      expect(s.suggested.cronExpression).toBe(
        `${s.suggested.cronExpression!.split(' ')[0]} ${s.current.cronExpression}`,
      )
      if (byId.has(s.scheduleId)) {
        expect(s.current).toEqual({ cronExpression: '0 9 * * *', jitterMs: 0 })
        expect(s.suggested.cronExpression).toMatch(/^([0-9]|[1-5][0-9]) 0 9 \* \* \*$/)
      }
    }
    expect(nineAm.filter((s) => moved.has(s.id)).length).toBeGreaterThanOrEqual(900)
  })

  it('answers 200 with empty lists for a tenant without schedules', async () => {
    const res = await report('', 'nobody')
    expect(res.statusCode, res.body).toBe(200)
    // hours defaults to 24
    expect(Date.parse(res.json().to) - Date.parse(res.json().from)).toBe(DAY)
    expect(res.json()).toMatchObject({
      peak: { at: null, fires: 0 },
      hotspots: [],
      suggestions: [],
      suggestionsTotal: 0,
      peakAfterSuggestions: { at: null, fires: 0 },
      patterns: [],
      patternsTotal: 0,
    })
  })

  it.each(['?hours=0', '?hours=169', '?hours=abc', '?hours=1.5'])(
    'answers 400 naming query.hours for %s',
    async (q) => {
      const res = await report(q)
      expect(res.statusCode).toBe(400)
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('query.hours')
    },
  )

  it('reads 168 hours: 7 fires of each daily schedule', async () => {
    const res = await report('?hours=168')
    expect(res.statusCode).toBe(200)
    const body = res.json() as Report
    expect(body.peak.fires).toBe(1001)
    expect(body.hotspots.slice(0, 7).map((h) => h.fires)).toEqual([1001, 1001, 1001, 1001, 1001, 1001, 1001])
  })
})

describe('the plan kept between calls', () => {
  const tenant = 'kept'
  const call = (method: string, url: string, payload?: object) =>
    ctx.app.inject({
      method: method as 'GET',
      url,
      headers: ctx.auth(tenant, 'editor'),
      ...(payload && { payload }),
    })

  it('follows every change to the fleet, and is counted again when the clock leaves its window', async () => {
    const ny = { timezone: 'America/New_York', workflowId: (await createWorkflow(ctx, tenant)).id }
    const nine = await create(
      Array.from({ length: 40 }, (_, i) => ({ name: `k-nine-${i}`, cronExpression: '0 9 * * *', ...ny })),
      tenant,
    )
    await create(
      Array.from({ length: 5 }, (_, i) => ({
        name: `k-five-${i}`,
        cronExpression: '*/5 * * * *',
        workflowId: ny.workflowId,
      })),
      tenant,
    )
    const first = (await report('?hours=24', tenant)).json() as Report
    // 40 at 09:00 New York and the 5 every-5-minutes ones.
    expect(first.peak).toEqual({ at: NINE_EST, fires: 45 })

    // Three moved to 10:00, two paused, one deleted, four new at 09:00, one with only a new version.
    for (const s of nine.slice(0, 3))
      expect(
        (await call('PATCH', `/api/schedules/${s.id}`, { cronExpression: '0 10 * * *' })).statusCode,
      ).toBe(200)
    for (const s of nine.slice(3, 5))
      expect((await call('POST', `/api/schedules/${s.id}/pause`)).statusCode).toBe(200)
    expect((await call('DELETE', `/api/schedules/${nine[5]!.id}`)).statusCode).toBe(204)
    const added = await create(
      Array.from({ length: 4 }, (_, i) => ({ name: `k-new-${i}`, cronExpression: '0 9 * * *', ...ny })),
      tenant,
    )
    expect(
      (await call('PATCH', `/api/schedules/${nine[6]!.id}`, { metadata: { note: 'x' } })).statusCode,
    ).toBe(200)

    const body = (await report('?hours=24', tenant)).json() as Report
    expect(body.peak).toEqual({ at: NINE_EST, fires: 45 - 3 - 2 - 1 + 4 })
    const ten = body.hotspots.find((h) => h.at === '2027-03-13T15:00:00.000Z')
    expect(ten).toMatchObject({ fires: 3 + 5 })
    const gone = new Set([nine[3]!.id, nine[4]!.id, nine[5]!.id])
    for (const h of body.hotspots) for (const id of h.scheduleIds) expect(gone.has(id)).toBe(false)
    for (const s of body.suggestions) expect(gone.has(s.scheduleId)).toBe(false)
    const byId = new Map((await listActive(tenant)).map((s) => [s.id, s]))
    for (const s of body.suggestions) expect(s.version).toBe(byId.get(s.scheduleId)!.version)
    expect(body.suggestions.some((s) => added.some((a) => a.id === s.scheduleId))).toBe(true)
    // peakAfterSuggestions is what the engine counts with every suggestion applied.
    const moves = new Map(body.suggestions.map((s) => [s.scheduleId, s.suggested.cronExpression!]))
    const after = new Map<number, number>()
    for (const s of byId.values())
      for (const d of nextRuns(moves.get(s.id) ?? s.cronExpression, {
        timezone: s.timezone,
        from: new Date(NOW - 1),
        count: 400,
      })) {
        if (d.getTime() >= NOW + DAY) break
        after.set(d.getTime(), (after.get(d.getTime()) ?? 0) + 1)
      }
    expect(body.peakAfterSuggestions.fires).toBe(Math.max(...after.values()))

    // Two hours later the kept plan no longer covers the window: counted again from the new hour.
    clock = NOW + 2 * 3_600_000
    try {
      const later = (await report('?hours=24', tenant)).json() as Report
      expect(later.from).toBe(new Date(clock).toISOString())
      // 09:00 New York today is now 14:00Z: the window starts there.
      expect(later.peak).toEqual({ at: NINE_EST, fires: 43 })
    } finally {
      clock = NOW
    }
  })
})

async function listActive(tenant: string): Promise<Schedule[]> {
  const rows = await ctx.database.sql<Schedule[]>`
    select id, version, cron_expression as "cronExpression", timezone, jitter_ms as "jitterMs", metadata
      from schedules where tenant = ${tenant} and state = 'active'`
  return rows
}

/** Fires per instant of every acme schedule over the next `days`, from the engine. */
async function engineFires(days: number): Promise<Map<number, number>> {
  const rows = await ctx.database.sql<{ cron_expression: string; timezone: string }[]>`
    select cron_expression, timezone from schedules where tenant = 'acme' and state = 'active'`
  const perInstant = new Map<number, number>()
  for (const r of rows) {
    for (const d of nextRuns(r.cron_expression, {
      timezone: r.timezone,
      from: new Date(NOW - 1),
      count: days + 1,
    })) {
      if (d.getTime() >= NOW + days * DAY) break
      perInstant.set(d.getTime(), (perInstant.get(d.getTime()) ?? 0) + 1)
    }
  }
  return perInstant
}

it('documents both routes in the OpenAPI document', async () => {
  const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json()
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining(['/api/schedules/optimizer', '/api/schedules/optimizer/apply']),
  )
})

describe('POST /api/schedules/optimizer/apply', () => {
  it('refuses bad suggestions with 422 naming the field, and a viewer with 403; nothing written', async () => {
    const s = nineAm[0]!
    const cases: [unknown, string][] = [
      [
        { scheduleId: uuidv7(), version: 1, suggested: { cronExpression: '5 0 9 * * *' } },
        'body.suggestions.0.scheduleId',
      ],
      [
        { scheduleId: s.id, version: 1, suggested: { cronExpression: '5 1 9 * * *' } },
        'body.suggestions.0.suggested.cronExpression',
      ],
      [
        { scheduleId: s.id, version: 1, suggested: { cronExpression: '5 0 9 * * 1' } },
        'body.suggestions.0.suggested.cronExpression',
      ],
      [
        { scheduleId: s.id, version: 1, suggested: { cronExpression: '30 0 9 * * *', jitterMs: 30_000 } },
        'body.suggestions.0.suggested.jitterMs',
      ],
      [
        { scheduleId: pinned.id, version: 1, suggested: { cronExpression: '5 0 9 * * *' } },
        'body.suggestions.0.scheduleId',
      ],
    ]
    for (const [suggestion, path] of cases) {
      const res = await apply({ suggestions: [suggestion] })
      expect(res.statusCode, res.body).toBe(422)
      expect(res.json()).toMatchObject({ code: 'SCHED_ERR_SUGGESTION_INVALID', errors: [{ path }] })
    }
    const twice = { scheduleId: s.id, version: 1, suggested: { cronExpression: '5 0 9 * * *' } }
    const dup = await apply({ suggestions: [twice, twice] })
    expect(dup.json()).toMatchObject({ errors: [{ path: 'body.suggestions.1.scheduleId' }] })
    const tooMany = await apply({ suggestions: Array.from({ length: 1001 }, () => twice) })
    expect(tooMany.statusCode).toBe(400)
    expect(tooMany.json().errors[0].path).toBe('body.suggestions')
    expect((await apply({ suggestions: [twice] }, 'viewer')).statusCode).toBe(403)
    expect(await getSchedule(s.id)).toMatchObject({ version: 1, cronExpression: '0 9 * * *' })
  })

  it('applies as ordinary audited updates, lists a schedule changed since in conflicts, and the engine agrees', async () => {
    const body = (await report()).json() as Report
    const suggestions = body.suggestions
    // dryRun: the same answer, nothing written
    const dry = await apply({ suggestions, dryRun: true })
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({ conflicts: [], peakBefore: { at: NINE_EST, fires: 1001 } })
    expect(dry.json().applied).toHaveLength(suggestions.length)
    expect(dry.json().peakAfter.fires).toBeLessThanOrEqual(20)
    expect(await getSchedule(suggestions[0]!.scheduleId)).toMatchObject({
      version: 1,
      cronExpression: '0 9 * * *',
    })

    // Another writer changes one of them after the GET.
    const changed = suggestions[1]!.scheduleId
    const patch = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/schedules/${changed}`,
      headers: ctx.auth('acme', 'editor'),
      payload: { name: 'renamed-meanwhile' },
    })
    expect(patch.statusCode, patch.body).toBe(200)

    const res = await apply({ suggestions })
    expect(res.statusCode, res.body).toBe(200)
    const result = res.json() as {
      applied: {
        scheduleId: string
        before: { version: number }
        after: { cronExpression: string; version: number }
      }[]
      conflicts: string[]
      peakBefore: { at: string; fires: number }
      peakAfter: { at: string; fires: number }
    }
    expect(result.conflicts).toEqual([changed])
    expect(result.applied).toHaveLength(suggestions.length - 1)
    expect(result.peakBefore).toEqual({ at: NINE_EST, fires: 1001 })
    expect(result.peakAfter.fires).toBeLessThanOrEqual(20)
    const first = result.applied[0]!
    expect(first.after.version).toBe(first.before.version + 1)
    expect(await getSchedule(first.scheduleId)).toMatchObject({
      version: 2,
      cronExpression: first.after.cronExpression,
    })
    expect(await getSchedule(changed)).toMatchObject({ version: 2, cronExpression: '0 9 * * *' })
    expect(await getSchedule(pinned.id)).toMatchObject({ version: 1, cronExpression: '0 9 * * *' })
    const [audited] = await ctx.database.sql<{ n: number }[]>`
      select count(*)::int as n from audit_log where action = 'schedule.updated' and target_id = ${first.scheduleId}`
    expect(audited!.n).toBe(1)

    // The next days' fires, from the engine: 09:00 New York still, at most 20 in any second.
    const fires = await engineFires(3)
    expect(Math.max(...fires.values())).toBeLessThanOrEqual(20)
    for (const s of nineAm) {
      const now = await getSchedule(s.id)
      for (const d of nextRuns(now.cronExpression, {
        timezone: now.timezone,
        from: new Date(NOW),
        count: 3,
      })) {
        const local = d.toLocaleTimeString('en-GB', { timeZone: 'America/New_York', hour12: false })
        expect(local.slice(0, 5)).toBe('09:00')
      }
    }
  }, 60_000)
})

describe('patterns', () => {
  const at = (msAgo: number) => NOW - msAgo
  async function insert(
    scheduleId: string,
    rows: { ago: number; late: number; ms: number | null; status: string }[],
  ) {
    const repo = createExecutionsRepo(ctx.database.db)
    for (const r of rows) {
      const due = at(r.ago)
      await repo.insert({
        id: uuidv7(due),
        tenant: 'acme',
        kind: 'fire',
        scheduleId,
        workflowId: wf.id,
        // Each fire's jitter put its due time 3 s after its nominal time: lateness counts from dueAt.
        scheduledFor: new Date(due - 3000),
        dueAt: new Date(due),
        status: r.status as 'succeeded',
        startedAt: r.status === 'queued' ? null : new Date(due + r.late),
        finishedAt: r.ms === null ? null : new Date(due + r.late + r.ms),
      })
    }
  }

  it('reports runs, percentiles, failure rate, lateness and overlap risk from the aggregates', async () => {
    const [a, b] = await create([
      { name: 'pattern-a', cronExpression: '0 * * * *' },
      { name: 'pattern-b', cronExpression: '*/2 * * * *' },
    ])
    // a: 10 succeeded (100..1000 ms, 1..10 s late), 2 dead (5000 ms, 20 s late), 1 running, 1 from 8 days ago
    await insert(a!.id, [
      ...Array.from({ length: 10 }, (_, i) => ({
        ago: (i + 1) * 3_600_000,
        late: (i + 1) * SECOND,
        ms: (i + 1) * 100,
        status: 'succeeded',
      })),
      { ago: 20 * 3_600_000, late: 20 * SECOND, ms: 5000, status: 'dead' },
      { ago: 21 * 3_600_000, late: 20 * SECOND, ms: 5000, status: 'dead' },
      { ago: 60_000, late: 0, ms: null, status: 'running' },
      { ago: 8 * DAY, late: 0, ms: 999_999, status: 'succeeded' },
    ])
    // b: every 2 minutes, runs of 150 s: overlap risk
    await insert(b!.id, [{ ago: 3_600_000, late: 0, ms: 150_000, status: 'succeeded' }])
    await refreshSchedulePatterns(ctx.database.sql, new Date(NOW))

    const res = await report()
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json() as Report
    expect(body.generatedAt).toBe(new Date(NOW).toISOString())
    expect(body.patternsTotal).toBe(2)
    // Nearest rank over 12 runs: p50 = 6th of [100..1000, 5000, 5000] = 600, p95 = 12th = 5000;
    // lateness over the 13 started: [0, 1..10 s, 20 s, 20 s] → p95 = 13th = 20 s.
    expect(body.patterns).toEqual([
      {
        scheduleId: a!.id,
        runs: 12,
        p50DurationMs: 600,
        p95DurationMs: 5000,
        failureRate: 2 / 12,
        lateP95Ms: 20_000,
        overlapRisk: false,
      },
      {
        scheduleId: b!.id,
        runs: 1,
        p50DurationMs: 150_000,
        p95DurationMs: 150_000,
        failureRate: 0,
        lateP95Ms: 0,
        overlapRisk: true,
      },
    ])

    // The running one finishes (50 ms): the next refresh counts it; p50 = 7th of 13 = 600.
    await ctx.database.sql`
      update executions set status = 'succeeded', finished_at = started_at + interval '50 ms'
       where schedule_id = ${a!.id} and status = 'running'`
    await refreshSchedulePatterns(ctx.database.sql, new Date(NOW + 30_000))
    const again = (await report()).json() as Report
    expect(again.patterns[0]).toMatchObject({ scheduleId: a!.id, runs: 13, p50DurationMs: 600 })
    expect(again.generatedAt).toBe(new Date(NOW + 30_000).toISOString())
  })
})
