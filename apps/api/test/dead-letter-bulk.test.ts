import { uuidv7 } from '@punctual/core'
import { createExecutionQueue } from '@punctual/queue'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../src/plugins/auth.ts'
import { createWorkflow, setup, type TestContext } from './helper.ts'

/** Issue 16 item 4: the bulk redrive of the dead-letter queue, and the single retry's `{ input? }`. */

let ctx: TestContext
let wfA: { id: string }
let wfB: { id: string }
const queue = () => createExecutionQueue(ctx.redis.redis, ctx.redis.keys)

beforeAll(async () => {
  ctx = await setup()
  ;[wfA, wfB] = await Promise.all([createWorkflow(ctx), createWorkflow(ctx)])
})
afterAll(async () => {
  await ctx?.close()
})

/**
 * `count` dead rows in one statement, finished one ms apart from `fromMs` (ids in the same order), for the
 * tenant and workflow given; error.class alternates unless given.
 */
async function dead(
  count: number,
  opts: {
    fromMs?: number
    workflowId?: string
    tenant?: string
    errorClass?: 'retryable' | 'permanent'
  } = {},
) {
  const from = opts.fromMs ?? Date.now() - 3_600_000
  const ids = Array.from({ length: count }, (_, i) => uuidv7(from + i))
  const finished = ids.map((_, i) => new Date(from + i).toISOString())
  const classes = ids.map((_, i) => opts.errorClass ?? (i % 2 === 0 ? 'retryable' : 'permanent'))
  await ctx.database.sql`
    insert into executions (id, tenant, kind, workflow_id, scheduled_for, finished_at, status, attempt, priority,
                            input, error, retry_policy)
    select v.id, ${opts.tenant ?? 'acme'}, 'webhook', ${opts.workflowId ?? wfA.id}, v.at::timestamptz,
           v.at::timestamptz, 'dead', 3, 4, jsonb_build_object('n', v.ord), jsonb_build_object('message', 'x',
           'class', v.cls), '{"maxAttempts": 3}'::jsonb
      from unnest(${ids}::uuid[], ${finished}::text[], ${classes}::text[]) with ordinality as v(id, at, cls, ord)`
  return ids
}

const redrive = (payload: unknown, role: Role = 'editor', tenant = 'acme') =>
  ctx.app.inject({
    method: 'POST',
    url: '/api/executions/redrive',
    headers: ctx.auth(tenant, role),
    payload: payload as Record<string, unknown>,
  })

const redrivesOf = async (ids: string[]) =>
  ctx.database.sql<{ retry_of: string; id: string }[]>`
    select retry_of, id from executions where kind = 'redrive' and retry_of = any(${ids}::uuid[])`

describe('POST /api/executions/redrive', () => {
  it('redrives the matching dead ones oldest first, marks them, enqueues, echoes finishedTo, audits the count', async () => {
    const wf = await createWorkflow(ctx)
    const ids = await dead(5, { workflowId: wf.id })
    const before = Date.now()
    const res = await redrive({ filter: { workflowId: wf.id } })
    expect(res.statusCode, res.body).toBe(202)
    const body = res.json()
    expect(body.matched).toBe(5)
    expect(body.executionIds).toHaveLength(5)
    expect(Date.parse(body.finishedTo)).toBeGreaterThanOrEqual(before - 5)
    const rows = await redrivesOf(ids)
    // Oldest dead one first: the redrive ids follow the dead ones' order.
    const byDead = new Map(rows.map((r) => [r.retry_of, r.id]))
    expect(ids.map((id) => byDead.get(id))).toEqual(body.executionIds)
    const marked = await ctx.database.sql`select count(*)::int as n from executions
                                            where id = any(${ids}::uuid[]) and redriven_at is not null`
    expect(marked[0]!.n).toBe(5)
    const one = await ctx.database.sql`select * from executions where id = ${body.executionIds[0]}`
    expect(one[0]).toMatchObject({
      kind: 'redrive',
      status: 'queued',
      attempt: 0,
      priority: 4,
      input: { n: 1 },
    })
    for (const id of body.executionIds) expect((await queue().get(id))?.state).toBe('ready')
    // Repeating with the echoed finishedTo: nothing left.
    const again = await redrive({ filter: { workflowId: wf.id, finishedTo: body.finishedTo } })
    expect(again.json()).toMatchObject({ matched: 0, executionIds: [] })
    const audit = await ctx.database.sql`select * from audit_log where action = 'execution.bulk_redriven'
                                           and details->'filter'->>'workflowId' = ${wf.id} order by id`
    expect(audit.map((a) => a['details'].count)).toEqual([5, 0])
    expect(audit[0]!['actor']).toBe('editor@acme')
  })

  it('filters: errorClass, finishedFrom/To, workflow, other tenants never', async () => {
    const wf = await createWorkflow(ctx)
    const t0 = Date.now() - 7_200_000
    const ids = await dead(6, { workflowId: wf.id, fromMs: t0 })
    await dead(3, { workflowId: wf.id, tenant: 'other', fromMs: t0 })
    const dry = (filter: Record<string, unknown>) =>
      redrive({ filter: { workflowId: wf.id, ...filter }, dryRun: true }).then((r) => {
        expect(r.statusCode, r.body).toBe(200)
        expect(r.json().executionIds).toEqual([])
        return r.json().matched as number
      })
    expect(await dry({})).toBe(6)
    expect(await dry({ errorClass: 'permanent' })).toBe(3)
    expect(await dry({ finishedFrom: new Date(t0 + 2).toISOString() })).toBe(4)
    expect(await dry({ finishedTo: new Date(t0 + 2).toISOString() })).toBe(3)
    expect(
      await dry({ finishedFrom: new Date(t0 + 1).toISOString(), finishedTo: new Date(t0 + 4).toISOString() }),
    ).toBe(4)
    // A dry run changed nothing.
    expect(await redrivesOf(ids)).toHaveLength(0)
    const res = await redrive({ filter: { workflowId: wf.id, errorClass: 'retryable' } })
    expect(res.json().matched).toBe(3)
    expect((await redrivesOf(ids)).map((r) => r.retry_of).sort()).toEqual([ids[0], ids[2], ids[4]].sort())
    const other = await ctx.database.sql`select count(*)::int as n from executions
                                           where tenant = 'other' and kind = 'redrive'`
    expect(other[0]!.n).toBe(0)
  })

  it('nothing is redriven twice: not after retry, nor after the redrives die or are deleted', async () => {
    const wf = await createWorkflow(ctx)
    const ids = await dead(4, { workflowId: wf.id })
    const single = await ctx.app.inject({
      method: 'POST',
      url: `/api/executions/${ids[0]}/retry`,
      headers: ctx.auth('acme', 'editor'),
    })
    expect(single.statusCode, single.body).toBe(202)
    const first = await redrive({ filter: { workflowId: wf.id } })
    expect(first.json().matched).toBe(3)
    const made: string[] = first.json().executionIds
    // The redrives die (one of them) and are deleted (another): the dead originals stay redriven.
    await ctx.database.sql`update executions set status = 'dead', finished_at = now() where id = ${made[0]!}`
    await ctx.database.sql`delete from executions where id = ${made[1]!}`
    const second = await redrive({ filter: { workflowId: wf.id, finishedTo: first.json().finishedTo } })
    expect(second.json()).toMatchObject({ matched: 0, executionIds: [] })
    const perDead = await ctx.database.sql`select retry_of, count(*)::int as n from executions
      where retry_of = any(${ids}::uuid[]) group by retry_of`
    expect(perDead.every((r) => r['n'] === 1)).toBe(true)
  })

  it('at most 10,000 a call: 25,000 dead worked through by repeating with finishedTo until matched is 0', async () => {
    const wf = await createWorkflow(ctx)
    await dead(25_000, { workflowId: wf.id, fromMs: Date.now() - 10_000_000 })
    const seen = new Set<string>()
    const matched: number[] = []
    let finishedTo: string | undefined
    for (let i = 0; i < 5; i++) {
      const res = await redrive({ filter: { workflowId: wf.id, ...(finishedTo && { finishedTo }) } })
      expect(res.statusCode, res.body.slice(0, 300)).toBe(202)
      const body = res.json()
      matched.push(body.matched)
      finishedTo = body.finishedTo
      for (const id of body.executionIds) seen.add(id)
      if (body.matched === 0) break
    }
    expect(matched).toEqual([25_000, 15_000, 5_000, 0])
    expect(seen.size).toBe(25_000)
    const dup = await ctx.database.sql`select count(*)::int as n from (select retry_of from executions
      where kind = 'redrive' and workflow_id = ${wf.id} group by retry_of having count(*) > 1) d`
    expect(dup[0]!.n).toBe(0)
  }, 120_000)

  it('bad input: a filter with no field, no filter, an unknown class: 400 naming the field; a viewer: 403', async () => {
    const before = await ctx.database.sql`select count(*)::int as n from executions where kind = 'redrive'`
    for (const [payload, path] of [
      [{ filter: {} }, 'body.filter'],
      [{}, 'body.filter'],
      [{ filter: { errorClass: 'sometimes' } }, 'body.filter.errorClass'],
      [{ filter: { finishedTo: 'yesterday' } }, 'body.filter.finishedTo'],
      [{ filter: { workflowId: wfB.id }, dryRun: 'yes' }, 'body.dryRun'],
    ] as const) {
      const res = await redrive(payload)
      expect(res.statusCode, res.body).toBe(400)
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path)
    }
    expect((await redrive({ filter: { workflowId: wfB.id } }, 'viewer')).statusCode).toBe(403)
    const after = await ctx.database.sql`select count(*)::int as n from executions where kind = 'redrive'`
    expect(after[0]!.n).toBe(before[0]!.n)
  })
})

describe('POST /api/executions/:id/retry { input? }', () => {
  it('the given input replaces the dead one whole; without it the dead input is kept', async () => {
    const [a, b] = await dead(2, { workflowId: wfB.id })
    const withInput = await ctx.app.inject({
      method: 'POST',
      url: `/api/executions/${a}/retry`,
      headers: ctx.auth('acme', 'editor'),
      payload: { input: { fresh: true } },
    })
    expect(withInput.statusCode, withInput.body).toBe(202)
    const r1 = await ctx.database
      .sql`select input, retry_of from executions where id = ${withInput.json().executionId}`
    expect(r1[0]).toMatchObject({ input: { fresh: true }, retry_of: a })
    const without = await ctx.app.inject({
      method: 'POST',
      url: `/api/executions/${b}/retry`,
      headers: ctx.auth('acme', 'editor'),
    })
    expect(without.statusCode, without.body).toBe(202)
    const r2 = await ctx.database.sql`select input from executions where id = ${without.json().executionId}`
    expect(r2[0]!['input']).toEqual({ n: 2 })
    const bad = await ctx.app.inject({
      method: 'POST',
      url: `/api/executions/${b}/retry`,
      headers: ctx.auth('acme', 'editor'),
      payload: { input: [1, 2] },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().errors[0].path).toBe('body.input')
  })
})
