import { SCHEDULE_DEFAULTS } from '@punctual/core'
import { sleep } from '@punctual/core/testing'
import { createExecutionQueue, getDueEntry } from '@punctual/queue'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, setup, type TestContext } from './helper.ts'

// A fixed clock: the day before New York's 2026 spring-forward (Sunday 8 March, 02:00 → 03:00).
let clock = new Date('2026-03-07T12:00:00.000Z')
let ctx: TestContext
let wf: { id: string }

beforeAll(async () => {
  ctx = await setup({ now: () => clock })
  wf = await createWorkflow(ctx)
})
afterAll(async () => {
  await ctx?.close()
})

let n = 0
const uniqueName = () => `s-${++n}-${Math.random().toString(36).slice(2, 8)}`

async function create(body: Record<string, unknown>, tenant = 'acme') {
  return ctx.app.inject({
    method: 'POST',
    url: '/api/schedules',
    headers: ctx.auth(tenant, 'editor'),
    payload: { workflowId: wf.id, name: uniqueName(), cronExpression: '0 9 * * *', ...body },
  })
}

async function createOk(body: Record<string, unknown> = {}) {
  const res = await create(body)
  expect(res.statusCode, res.body).toBe(201)
  return res.json()
}

const due = (id: string) => getDueEntry(ctx.redis.redis, ctx.redis.keys, id)
const rowCount = async () => Number((await ctx.database.sql`select count(*)::int as c from schedules`)[0]!.c)

describe('POST /api/schedules', () => {
  it('creates a schedule with the contract defaults, its next fire and its due-index entry', async () => {
    const s = await createOk({ timezone: 'America/New_York' })
    expect(s).toMatchObject({
      ...SCHEDULE_DEFAULTS,
      timezone: 'America/New_York',
      state: 'active',
      version: 1,
      pausedNote: null,
      executionCount: 0,
      missedCount: 0,
      warnings: [],
    })
    // 09:00 EST today (the clock reads 07:00 EST).
    expect(s.nextRunAt).toBe('2026-03-07T14:00:00.000Z')
    expect(await due(s.id)).toEqual({ scoreMs: Date.parse('2026-03-07T14:00:00.000Z'), version: 1 })
    const status = await ctx.app.inject({ url: `/api/schedules/${s.id}/status`, headers: ctx.auth() })
    // The day after, 09:00 is EDT (UTC-4): the wall clock holds across the transition.
    expect(status.json().nextRuns.slice(0, 3)).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ])
  })

  it('honours an inclusive startDate', async () => {
    const s = await createOk({ cronExpression: '0 9 * * *', startDate: '2026-04-01T09:00:00.000Z' })
    expect(s.nextRunAt).toBe('2026-04-01T09:00:00.000Z')
  })

  it('lists every failing field at once (400) and writes nothing', async () => {
    const before = await rowCount()
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/schedules',
      headers: ctx.auth(),
      payload: {
        workflowId: 'not-a-uuid',
        priority: 10,
        timezone: 5,
        overlapPolicy: 'queue',
        retryPolicy: { maxAttempts: 0, jitter: 'some' },
        jitterMs: -1,
      },
    })
    expect(res.statusCode).toBe(400)
    const paths = res.json().errors.map((e: { path: string }) => e.path)
    expect(paths).toEqual(
      expect.arrayContaining([
        'body.workflowId',
        'body.name',
        'body.cronExpression',
        'body.priority',
        'body.timezone',
        'body.overlapPolicy',
        'body.retryPolicy.maxAttempts',
        'body.retryPolicy.jitter',
        'body.jitterMs',
      ]),
    )
    expect(await rowCount()).toBe(before)
  })

  it.each([
    ['0 0 32 * *', 'SCHED_ERR_CRON_INVALID', /dayOfMonth.*32/],
    ['5-1 * * * *', 'SCHED_ERR_CRON_INVALID', /minute/],
    ['* * * * * * *', 'SCHED_ERR_CRON_INVALID', /field/i],
    ['', 'SCHED_ERR_CRON_INVALID', /empty/i],
    ['0 0 30 2 *', 'SCHED_ERR_CRON_NEVER_FIRES', /never/i],
  ])('refuses %j with 422 naming the field and writes nothing', async (cronExpression, code, detail) => {
    const before = await rowCount()
    const res = await create({ cronExpression })
    expect(res.statusCode).toBe(422)
    const body = res.json()
    expect(body.code).toBe(code)
    expect(body.errors[0].path).toBe('body.cronExpression')
    expect(body.detail).toMatch(detail)
    expect(await rowCount()).toBe(before)
  })

  it('refuses an unknown time zone, endDate before startDate, and a window without fires (422)', async () => {
    const tz = await create({ timezone: 'Mars/Olympus_Mons' })
    expect(tz.statusCode).toBe(422)
    expect(tz.json().errors).toEqual([
      { path: 'body.timezone', message: expect.stringContaining('Mars/Olympus_Mons') },
    ])
    expect((await create({ timezone: '' })).statusCode).toBe(422)

    const dates = await create({ startDate: '2026-05-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z' })
    expect(dates.statusCode).toBe(422)
    expect(dates.json().errors[0].path).toBe('body.endDate')

    const past = await create({ endDate: '2026-01-01T00:00:00Z' })
    expect(past.statusCode).toBe(422)
  })

  it("refuses an unknown workflowId and another tenant's workflow (422)", async () => {
    const unknown = await create({ workflowId: '01900000-0000-7000-8000-000000000000' })
    expect(unknown.statusCode).toBe(422)
    expect(unknown.json().errors[0].path).toBe('body.workflowId')
    const theirs = await createWorkflow(ctx, 'globex')
    expect((await create({ workflowId: theirs.id })).statusCode).toBe(422)
  })

  it('refuses a name already used in the tenant (409) and leaves Redis alone', async () => {
    const s = await createOk()
    const dup = await create({ name: s.name, cronExpression: '5 5 * * *' })
    expect(dup.statusCode).toBe(409)
    expect(dup.json().errors[0].path).toBe('body.name')
  })

  it('concurrent creates commit together, and a refused one in the group changes nothing', async () => {
    const before = await rowCount()
    const name = uniqueName()
    const bodies = [
      ...Array.from({ length: 20 }, () => ({ name: uniqueName() })),
      { name },
      { name },
      { name: uniqueName(), workflowId: '01900000-0000-7000-8000-000000000000' },
    ]
    const results = await Promise.all(bodies.map((b) => create(b)))
    const codes = results.map((r) => r.statusCode)
    expect(codes.slice(0, 20)).toEqual(Array(20).fill(201))
    expect(codes.slice(20, 22).sort()).toEqual([201, 409])
    expect(codes[22]).toBe(422)
    expect(await rowCount()).toBe(before + 21)
    for (const r of results) {
      const body = r.json()
      if (r.statusCode === 201) {
        expect(await due(body.id)).toEqual({ scoreMs: Date.parse(body.nextRunAt), version: 1 })
      }
    }
    // The refused rows left no index entry: every entry in the due-index names a row.
    const indexed = await ctx.redis.redis.hkeys(ctx.redis.keys.dueVersion)
    const rows = await ctx.database.sql`select id from schedules`
    const ids = new Set(rows.map((r) => r.id as string))
    expect(indexed.filter((id) => !ids.has(id))).toEqual([])
  })

  it('creates a disabled schedule as paused, without a next fire', async () => {
    const s = await createOk({ enabled: false })
    expect(s).toMatchObject({ state: 'paused', nextRunAt: null })
    expect(await due(s.id)).toEqual({ scoreMs: null, version: 1 })
  })
})

describe('conflict warnings', () => {
  it('warns about schedules of the same workflow firing within a minute, lists 10 and counts all', async () => {
    const own = await createWorkflow(ctx)
    const other = await createWorkflow(ctx)
    const mk = (cronExpression: string, workflowId = own.id) => createOk({ cronExpression, workflowId })
    const a = await mk('30 6 * * *')
    const b = await mk('31 6 * * *')
    expect(b.warnings).toEqual([
      {
        type: 'conflict',
        message: expect.stringContaining('1 other schedule'),
        scheduleIds: [a.id],
        total: 1,
      },
    ])
    expect((await mk('30 6 * * *', other.id)).warnings).toEqual([])
    expect((await mk('33 6 * * *')).warnings).toEqual([])
    const more = []
    for (let i = 0; i < 11; i++) more.push(await mk('30 6 * * *'))
    // 06:29 is within a minute of the twelve at 06:30, not of the one at 06:31.
    const last = await mk('29 6 * * *')
    expect(last.warnings[0].total).toBe(12)
    expect(last.warnings[0].scheduleIds).toHaveLength(10)
    // A paused neighbour does not fire, so it does not conflict.
    await ctx.app.inject({ method: 'POST', url: `/api/schedules/${a.id}/pause`, headers: ctx.auth() })
    const after = await mk('30 6 * * *')
    expect(after.warnings[0].total).toBe(13)
    expect(after.warnings[0].scheduleIds).not.toContain(a.id)
  })
})

describe('conflict warnings at scale (bounded lookup)', () => {
  it('counts hundreds of frequent schedules on one workflow exactly, without reading them', async () => {
    const own = await createWorkflow(ctx)
    const mk = (cronExpression: string, name = uniqueName()) =>
      create({ cronExpression, workflowId: own.id, name })
    for (let i = 0; i < 150; i++) {
      const res = await mk(`${i % 10}/10 * * * * *`)
      expect(res.statusCode).toBe(201)
      // Every earlier one conflicts with this one, and the total stays exact however many there are.
      if (i > 0) expect(res.json().warnings[0]).toMatchObject({ total: i })
      if (i > 0) expect(res.json().warnings[0].totalIsLowerBound).toBeUndefined()
    }
    const daily = (await mk('0 9 * * *')).json()
    expect(daily.warnings[0]).toMatchObject({ total: 150 })
    expect(daily.warnings[0].scheduleIds).toHaveLength(10)
    expect(daily.warnings[0].totalIsLowerBound).toBeUndefined()
  })

  it('says the total is a lower bound past 100 conflicting schedules', async () => {
    const own = await createWorkflow(ctx)
    for (let i = 0; i < 105; i++) {
      const res = await create({ cronExpression: '30 6 * * *', workflowId: own.id })
      expect(res.statusCode).toBe(201)
    }
    const probe = (await create({ cronExpression: '31 6 * * *', workflowId: own.id })).json()
    expect(probe.warnings[0].totalIsLowerBound).toBe(true)
    expect(probe.warnings[0].total).toBeGreaterThan(100)
    expect(probe.warnings[0].total).toBeLessThanOrEqual(105)
    expect(probe.warnings[0].message).toMatch(/^At least \d+ other schedules/)
  })

  it('leaves no count behind for a create that is refused, and subtracts updates and deletes', async () => {
    const own = await createWorkflow(ctx)
    const mk = (body: Record<string, unknown>) =>
      create({ cronExpression: '0 12 * * *', workflowId: own.id, ...body })
    const first = (await mk({ name: uniqueName() })).json()
    const taken = await mk({ name: first.name, cronExpression: '* * * * * *' })
    expect(taken.statusCode).toBe(409)
    // The refused dense schedule would conflict with everything; it left nothing behind.
    expect((await mk({ cronExpression: '0 3 * * *' })).json().warnings).toEqual([])
    const dense = (await mk({ cronExpression: '*/5 * * * * *' })).json()
    expect(dense.warnings[0]).toMatchObject({ total: 2 })
    expect((await mk({ cronExpression: '0 20 * * *' })).json().warnings[0]).toMatchObject({
      total: 1,
      scheduleIds: [dense.id],
    })
    const patched = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/schedules/${dense.id}`,
      headers: ctx.auth('acme', 'editor'),
      payload: { cronExpression: '0 7 * * *' },
    })
    expect(patched.statusCode).toBe(200)
    expect((await mk({ cronExpression: '0 21 * * *' })).json().warnings).toEqual([])
    expect((await mk({ cronExpression: '0 7 * * *' })).json().warnings[0]).toMatchObject({ total: 1 })
    await ctx.app.inject({
      method: 'DELETE',
      url: `/api/schedules/${dense.id}`,
      headers: ctx.auth('acme', 'editor'),
    })
    expect((await mk({ cronExpression: '1 7 * * *' })).json().warnings[0]).toMatchObject({ total: 1 })
  })
})

describe('updates', () => {
  it('PATCH of the expression recomputes nextRunAt, bumps the version and moves the due entry', async () => {
    const s = await createOk({ cronExpression: '0 9 * * *' })
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/schedules/${s.id}`,
      headers: ctx.auth(),
      payload: { cronExpression: '30 2 * * *', timezone: 'America/New_York' },
    })
    expect(res.statusCode).toBe(200)
    // 02:30 does not exist on 8 March in New York: a fixed-time schedule fires once right after the gap (03:00 EDT).
    expect(res.json()).toMatchObject({ version: 2, nextRunAt: '2026-03-08T07:00:00.000Z', warnings: [] })
    expect(await due(s.id)).toEqual({ scoreMs: Date.parse('2026-03-08T07:00:00.000Z'), version: 2 })
  })

  it('PUT is a partial update too; a rename keeps the pending fire', async () => {
    const s = await createOk()
    const res = await ctx.app.inject({
      method: 'PUT',
      url: `/api/schedules/${s.id}`,
      headers: ctx.auth(),
      payload: { name: `${s.name}-renamed`, priority: 9 },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      name: `${s.name}-renamed`,
      priority: 9,
      nextRunAt: s.nextRunAt,
      version: 2,
    })
  })

  it('a refused update changes neither Postgres nor Redis', async () => {
    const s = await createOk()
    for (const payload of [
      { cronExpression: '61 * * * *' },
      { timezone: 'Nowhere/Land' },
      { priority: 12 },
      {},
    ]) {
      const res = await ctx.app.inject({
        method: 'PATCH',
        url: `/api/schedules/${s.id}`,
        headers: ctx.auth(),
        payload,
      })
      expect([400, 422]).toContain(res.statusCode)
    }
    const now = await ctx.app.inject({ url: `/api/schedules/${s.id}`, headers: ctx.auth() })
    const { warnings: _w, ...created } = s
    expect(now.json()).toEqual(created)
    expect(await due(s.id)).toEqual({ scoreMs: Date.parse(s.nextRunAt), version: 1 })
  })

  it('concurrent PATCHes leave the due-index at the last version', async () => {
    const s = await createOk()
    const minutes = Array.from({ length: 20 }, (_, i) => i)
    const results = await Promise.all(
      minutes.map((m) =>
        ctx.app.inject({
          method: 'PATCH',
          url: `/api/schedules/${s.id}`,
          headers: ctx.auth(),
          payload: { cronExpression: `${m} 10 * * *` },
        }),
      ),
    )
    expect(results.map((r) => r.statusCode)).toEqual(minutes.map(() => 200))
    const versions = results.map((r) => r.json().version).sort((a, b) => a - b)
    expect(versions).toEqual(minutes.map((m) => m + 2))
    const final = (await ctx.app.inject({ url: `/api/schedules/${s.id}`, headers: ctx.auth() })).json()
    expect(final.version).toBe(21)
    expect(await due(s.id)).toEqual({ scoreMs: Date.parse(final.nextRunAt), version: 21 })
  })
})

describe('fires recorded ahead of their time', () => {
  async function recordFire(s: { id: string; workflowId: string }, scheduledFor: string, status = 'queued') {
    const id = crypto.randomUUID()
    await ctx.database.sql`
      insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, status)
      values (${id}, 'acme', 'fire', ${s.id}, ${s.workflowId}, ${scheduledFor}::timestamptz, ${status})`
    await createExecutionQueue(ctx.redis.redis, ctx.redis.keys).enqueue(
      [
        {
          id,
          priority: 5,
          scheduledForMs: Date.parse(scheduledFor),
          availableAtMs: Date.parse(scheduledFor),
          attempt: 0,
          tenant: 'acme',
          workflowId: s.workflowId,
          kind: 'fire',
          scheduleId: s.id,
        },
      ],
      clock.getTime(),
    )
    return id
  }
  const exists = async (id: string) =>
    (await ctx.database.sql`select 1 from executions where id = ${id}`).length === 1
  const queued = async (id: string) =>
    (await createExecutionQueue(ctx.redis.redis, ctx.redis.keys).get(id)) !== null

  it('a PATCH, a pause and a delete acknowledged before a fire time drop that fire; past ones stay', async () => {
    for (const change of ['patch', 'pause', 'delete'] as const) {
      const s = await createOk({ cronExpression: '0 * * * *' })
      // The scheduler looked ahead: the 13:00 fire is recorded and waits in Redis; 11:00 already happened.
      const ahead = await recordFire(s, '2026-03-07T13:00:00.000Z')
      const past = await recordFire(s, '2026-03-07T11:00:00.000Z', 'succeeded')
      // ... and moved the schedule's pending fire past it.
      await ctx.database.sql`update schedules set next_run_at = '2026-03-07T14:00:00Z' where id = ${s.id}`
      const res =
        change === 'patch'
          ? await ctx.app.inject({
              method: 'PATCH',
              url: `/api/schedules/${s.id}`,
              headers: ctx.auth(),
              payload: { input: { v: 2 } },
            })
          : change === 'pause'
            ? await ctx.app.inject({
                method: 'POST',
                url: `/api/schedules/${s.id}/pause`,
                headers: ctx.auth(),
              })
            : await ctx.app.inject({ method: 'DELETE', url: `/api/schedules/${s.id}`, headers: ctx.auth() })
      expect(res.statusCode, change).toBeLessThan(300)
      expect(await exists(ahead), change).toBe(false)
      expect(await exists(past), change).toBe(true)
      for (let i = 0; i < 20 && (await queued(ahead)); i++) await sleep(10)
      expect(await queued(ahead), change).toBe(false)
      if (change === 'patch') {
        // Unchanged timing: the dropped fire is the pending one again, re-recorded from the new definition.
        expect(res.json().nextRunAt).toBe('2026-03-07T13:00:00.000Z')
      }
    }
  })
})

describe('pause, resume, delete, status', () => {
  it('pause removes the next fire; resume fires next at the first time after the resume', async () => {
    const s = await createOk({ cronExpression: '0 * * * *' })
    const paused = await ctx.app.inject({
      method: 'POST',
      url: `/api/schedules/${s.id}/pause`,
      headers: ctx.auth(),
      payload: { note: 'maintenance' },
    })
    expect(paused.statusCode).toBe(200)
    expect(paused.json()).toMatchObject({
      state: 'paused',
      enabled: false,
      nextRunAt: null,
      pausedNote: 'maintenance',
    })
    expect(await due(s.id)).toEqual({ scoreMs: null, version: 2 })

    const status = await ctx.app.inject({
      url: `/api/schedules/${s.id}/status`,
      headers: ctx.auth('acme', 'viewer'),
    })
    expect(status.json()).toMatchObject({ state: 'paused', nextRuns: [] })

    const saved = clock
    clock = new Date('2026-03-07T15:20:00.000Z')
    try {
      const resumed = await ctx.app.inject({
        method: 'POST',
        url: `/api/schedules/${s.id}/resume`,
        headers: ctx.auth(),
      })
      expect(resumed.statusCode).toBe(200)
      expect(resumed.json()).toMatchObject({
        state: 'active',
        nextRunAt: '2026-03-07T16:00:00.000Z',
        pausedNote: null,
      })
      expect(await due(s.id)).toEqual({ scoreMs: Date.parse('2026-03-07T16:00:00.000Z'), version: 3 })
    } finally {
      clock = saved
    }
  })

  it('pause without a body works; pausing a paused schedule is harmless', async () => {
    const s = await createOk()
    const first = await ctx.app.inject({
      method: 'POST',
      url: `/api/schedules/${s.id}/pause`,
      headers: ctx.auth(),
    })
    expect(first.statusCode).toBe(200)
    const second = await ctx.app.inject({
      method: 'POST',
      url: `/api/schedules/${s.id}/pause`,
      headers: ctx.auth(),
    })
    expect(second.statusCode).toBe(200)
    expect(second.json().state).toBe('paused')
  })

  it('status lists the next five fires', async () => {
    const s = await createOk({ cronExpression: '0 0 L * *' })
    const res = await ctx.app.inject({ url: `/api/schedules/${s.id}/status`, headers: ctx.auth() })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      state: 'active',
      nextRuns: [
        '2026-03-31T00:00:00.000Z',
        '2026-04-30T00:00:00.000Z',
        '2026-05-31T00:00:00.000Z',
        '2026-06-30T00:00:00.000Z',
        '2026-07-31T00:00:00.000Z',
      ],
      executionCount: 0,
      missedCount: 0,
    })
  })

  it('delete answers 204, removes the due entry, and the schedule is gone', async () => {
    const s = await createOk()
    const del = await ctx.app.inject({ method: 'DELETE', url: `/api/schedules/${s.id}`, headers: ctx.auth() })
    expect(del.statusCode).toBe(204)
    expect(await due(s.id)).toBeNull()
    expect((await ctx.app.inject({ url: `/api/schedules/${s.id}`, headers: ctx.auth() })).statusCode).toBe(
      404,
    )
    expect(
      (await ctx.app.inject({ method: 'DELETE', url: `/api/schedules/${s.id}`, headers: ctx.auth() }))
        .statusCode,
    ).toBe(404)
  })

  it("hides another tenant's schedule on every route (404) and changes nothing", async () => {
    const s = await createOk()
    const other = ctx.auth('globex', 'admin')
    const calls = [
      { method: 'GET', url: `/api/schedules/${s.id}` },
      { method: 'GET', url: `/api/schedules/${s.id}/status` },
      { method: 'PATCH', url: `/api/schedules/${s.id}`, payload: { priority: 1 } },
      { method: 'PUT', url: `/api/schedules/${s.id}`, payload: { priority: 1 } },
      { method: 'POST', url: `/api/schedules/${s.id}/pause` },
      { method: 'POST', url: `/api/schedules/${s.id}/resume` },
      { method: 'DELETE', url: `/api/schedules/${s.id}` },
    ] as const
    for (const call of calls) {
      const res = await ctx.app.inject({ ...call, headers: other })
      expect(res.statusCode, `${call.method} ${call.url}`).toBe(404)
    }
    const mine = await ctx.app.inject({ url: `/api/schedules/${s.id}`, headers: ctx.auth() })
    expect(mine.json()).toMatchObject({ version: 1, priority: 5, state: 'active' })
  })

  it('400 for a malformed id', async () => {
    const res = await ctx.app.inject({ url: '/api/schedules/123', headers: ctx.auth() })
    expect(res.statusCode).toBe(400)
    expect(res.json().errors[0].path).toBe('params.id')
  })
})

describe('GET /api/schedules', () => {
  it('filters by workflow and state and paginates', async () => {
    const own = await createWorkflow(ctx)
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await createOk({ workflowId: own.id })).id)
    await ctx.app.inject({ method: 'POST', url: `/api/schedules/${ids[1]}/pause`, headers: ctx.auth() })

    const paged: string[] = []
    let cursor: string | null = null
    do {
      const url: string = `/api/schedules?workflowId=${own.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`
      const body = (await ctx.app.inject({ url, headers: ctx.auth('acme', 'viewer') })).json()
      paged.push(...body.items.map((s: { id: string }) => s.id))
      cursor = body.nextCursor
    } while (cursor)
    expect(paged).toEqual(ids)

    const paused = (
      await ctx.app.inject({ url: `/api/schedules?workflowId=${own.id}&state=paused`, headers: ctx.auth() })
    ).json()
    expect(paused.items.map((s: { id: string }) => s.id)).toEqual([ids[1]])
    const bad = await ctx.app.inject({ url: '/api/schedules?state=sleeping', headers: ctx.auth() })
    expect(bad.statusCode).toBe(400)
    expect(
      (await ctx.app.inject({ url: '/api/schedules', headers: ctx.auth('globex') })).json().items,
    ).toEqual([])
  })
})
