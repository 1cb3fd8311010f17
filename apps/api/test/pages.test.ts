import { uuidv7 } from '@punctual/core'
import { createAuditRepo, createSchedulesRepo, PAGE_FETCH_BYTES } from '@punctual/db'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PAGE_MAX_BYTES } from '../src/services/cursor.ts'
import { createWorkflow, httpStep, setup, type TestContext } from './helper.ts'

// Every paginated list stops a page at 1 MiB of JSON (the contract's Conventions), with real rows whose
// large fields (steps, input, metadata, filter, details) put 500 of them far past it. Each family holds
// ROWS rows of about ITEM_BYTES and, in the middle, one row of about LARGE_BYTES (near the 1 MiB body limit).
const ROWS = 24
const ITEM_BYTES = 100_000
const LARGE_BYTES = 1_040_000
const LARGE_AT = 12

let ctx: TestContext
beforeAll(async () => {
  ctx = await setup()
})
afterAll(async () => {
  await ctx?.close()
})

const pad = (i: number) => (i === LARGE_AT ? 'L'.repeat(LARGE_BYTES) : `${i}-`.padEnd(ITEM_BYTES, 'x'))

async function call(method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await ctx.app.inject({ method, url, headers: ctx.auth(), ...(payload && { payload }) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 500)}`)
  return res
}

interface Walked {
  ids: string[]
  pages: { count: number; bytes: number }[]
}

/**
 * Follows nextCursor from the first page to the last, checking each page: not empty, within 1 MiB unless it
 * holds one item, and — when it stopped short of `limit` — stopped only because the next item would not fit.
 */
async function walk(url: string, limit = 500): Promise<Walked> {
  const walked: Walked = { ids: [], pages: [] }
  let cursor: string | null = null
  let previous: { bytes: number; count: number } | undefined
  for (;;) {
    const sep = url.includes('?') ? '&' : '?'
    const res = await call('GET', `${url}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
    const body = res.json() as { items: { id: string }[]; nextCursor: string | null }
    const bytes = Buffer.byteLength(res.body)
    expect(body.items.length).toBeGreaterThan(0)
    if (body.items.length > 1) expect(bytes).toBeLessThanOrEqual(PAGE_MAX_BYTES)
    if (previous && previous.count < limit) {
      const first = Buffer.byteLength(JSON.stringify(body.items[0]))
      expect(previous.bytes + 1 + first).toBeGreaterThan(PAGE_MAX_BYTES)
    }
    walked.pages.push({ count: body.items.length, bytes })
    walked.ids.push(...body.items.map((item) => item.id))
    previous = { bytes, count: body.items.length }
    if (body.nextCursor === null) return walked
    cursor = body.nextCursor
  }
}

async function idsInDb(table: string, order: 'asc' | 'desc', where = '') {
  const rows = await ctx.database.sql.unsafe<{ id: string }[]>(
    `select id from ${table} where tenant = 'acme' ${where} order by id ${order}`,
  )
  return rows.map((r) => r.id)
}

/** The walk gave every row exactly once, in order, over pages of at most ~1 MiB, the large row alone. */
function expectPaged(walked: Walked, expected: string[], largeId: string) {
  expect(walked.ids).toEqual(expected)
  expect(new Set(walked.ids).size).toBe(walked.ids.length)
  expect(walked.pages.length).toBeGreaterThanOrEqual(3)
  let at = 0
  for (const page of walked.pages) {
    if (walked.ids.slice(at, at + page.count).includes(largeId)) expect(page.count).toBe(1)
    at += page.count
  }
}

describe('lists stop a page at 1 MiB of JSON', () => {
  it('workflows', async () => {
    let largeId = ''
    for (let i = 0; i < ROWS; i++) {
      const res = await call('POST', '/api/workflows', {
        name: `big-${i}`,
        steps: [{ ...httpStep(), body: { pad: pad(i) } }],
      })
      if (i === LARGE_AT) largeId = res.json().id
    }
    expectPaged(await walk('/api/workflows'), await idsInDb('workflows', 'asc'), largeId)
  })

  it('schedules: pages of large input and metadata; the repository reads about 2 MiB, not 500 rows', async () => {
    const wf = await createWorkflow(ctx)
    let largeId = ''
    for (let i = 0; i < ROWS; i++) {
      const res = await call('POST', '/api/schedules', {
        workflowId: wf.id,
        name: `big-${i}`,
        cronExpression: `${i} 3 * * *`,
        ...(i === LARGE_AT
          ? { input: { pad: pad(i) } }
          : {
              input: { pad: pad(i).slice(0, ITEM_BYTES / 2) },
              metadata: { pad: pad(i).slice(ITEM_BYTES / 2) },
            }),
      })
      if (i === LARGE_AT) largeId = res.json().id
    }
    const expected = await idsInDb('schedules', 'asc')
    expectPaged(await walk('/api/schedules'), expected, largeId)
    expectPaged(await walk(`/api/schedules?workflowId=${wf.id}`), expected, largeId)

    // The page's rows are cut in Postgres: ~2 MiB of input and metadata (the row past it included).
    const { rows, more } = await createSchedulesRepo(ctx.database.db).page('acme', { limit: 500 })
    expect(more).toBe(true)
    expect(rows.length).toBeLessThan(ROWS)
    const sizes = rows.map((r) => JSON.stringify(r.input).length + JSON.stringify(r.metadata).length)
    expect(sizes.slice(0, -1).reduce((a, b) => a + b, 0)).toBeLessThan(PAGE_FETCH_BYTES)
    // Small pages by count still work as before.
    const first = await walk('/api/schedules', 5)
    expect(first.ids).toEqual(expected)
  })

  it('executions and a schedule history', async () => {
    const wf = await createWorkflow(ctx)
    const schedule = (
      await call('POST', '/api/schedules', { workflowId: wf.id, name: 'runs', cronExpression: '0 4 * * *' })
    ).json()
    let largeId = ''
    for (let i = 0; i < ROWS; i++) {
      const res = await call('POST', `/api/schedules/${schedule.id}/trigger`, { input: { pad: pad(i) } })
      if (i === LARGE_AT) largeId = res.json().executionId
    }
    const expected = await idsInDb('executions', 'desc')
    expectPaged(await walk('/api/executions'), expected, largeId)
    expectPaged(await walk(`/api/schedules/${schedule.id}/history`), expected, largeId)
  })

  it('triggers', async () => {
    // Filter values are capped at 1 KiB each (and matchers per tenant may be), so the large filters are
    // copies of one trigger made through the API, with rows written in Postgres.
    const wf = await createWorkflow(ctx)
    const made = (
      await call('POST', '/api/triggers', {
        workflowId: wf.id,
        name: 'model',
        type: 'event',
        eventType: 'order.created',
        filter: { note: ['x'] },
      })
    ).json()
    let largeId = ''
    for (let i = 0; i < ROWS; i++) {
      const id = uuidv7()
      await ctx.database.sql`
        insert into triggers (id, tenant, workflow_id, name, type, event_type, filter, priority, enabled)
        select ${id}, tenant, workflow_id, ${`big-${i}`}, type, event_type,
               ${JSON.stringify({ note: [pad(i)] })}::jsonb, priority, enabled
          from triggers where id = ${made.id}`
      if (i === LARGE_AT) largeId = id
    }
    expectPaged(await walk('/api/triggers'), await idsInDb('triggers', 'asc'), largeId)
  })

  it('audit', async () => {
    // The API's own entries are small; large details as another writer (or a future action) may store them.
    const audit = createAuditRepo(ctx.database.db)
    for (let i = 0; i < ROWS; i++) {
      await audit.record({
        tenant: 'acme',
        actor: 'test',
        action: 'workflow.updated',
        targetType: 'workflow',
        targetId: null,
        details: { pad: pad(i) },
        at: new Date(),
      })
    }
    const [large] = await ctx.database.sql<{ id: string }[]>`
      select id from audit_log where tenant = 'acme' and details->>'pad' like 'L%'`
    expectPaged(await walk('/api/audit'), await idsInDb('audit_log', 'desc'), large!.id)
  })
})
