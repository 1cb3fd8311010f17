import { uuidv7 } from '@punctual/core'
import { createTestDatabase, type TestDatabase } from '@punctual/db/testing'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createWorkerMetrics } from '../src/maintenance/metrics.ts'
import { type RetentionConfig, retentionPauseMs, runRetention } from '../src/maintenance/retention.ts'
import { silentLogger } from '../src/runner/testing.ts'

// Retention against a real Postgres, rows on both sides of each horizon, written as the worker writes them
// (ids minted at creation, finished_at at the end).
let database: TestDatabase
const NOW = Date.parse('2026-12-06T12:00:00Z')
const DAY = 86_400_000
const WF = '00000000-0000-7000-8000-000000000001'

beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await database?.close()
})
beforeEach(async () => {
  await database.sql`truncate executions, audit_log cascade`
})

interface Row {
  name: string
  status: string
  createdDaysAgo: number
  finishedDaysAgo?: number
  kind?: string
  retryOf?: string
}

/** Inserts execution rows; answers name → id. */
async function insert(rows: Row[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  for (const r of rows) {
    const created = NOW - r.createdDaysAgo * DAY
    const id = uuidv7(created)
    ids.set(r.name, id)
    const at = new Date(created).toISOString()
    const finished =
      r.finishedDaysAgo === undefined ? null : new Date(NOW - r.finishedDaysAgo * DAY).toISOString()
    await database.sql`
      insert into executions (id, tenant, kind, schedule_id, workflow_id, scheduled_for, enqueued_at, started_at,
                              finished_at, status, attempt, retry_of, created_at)
      values (${id}, 'acme', ${r.kind ?? 'manual'}, ${r.kind === 'fire' ? uuidv7(created) : null}, ${WF}, ${at}::timestamptz, ${at}::timestamptz,
              ${finished ? at : null}::timestamptz,
              ${finished}::timestamptz, ${r.status}, 1, ${r.retryOf ?? null},
              ${at}::timestamptz)`
  }
  return ids
}

async function audit(daysAgo: number[]) {
  for (const d of daysAgo) {
    const at = NOW - d * DAY
    await database.sql`
      insert into audit_log (id, tenant, actor, action, target_type, at)
      values (${uuidv7(at)}, 'acme', 'test', 'schedule.created', 'schedule', ${new Date(at).toISOString()}::timestamptz)`
  }
}

/** `n` succeeded executions created and finished 40 days ago: past the 30-day horizon. */
const oldRows = (n: number) =>
  insert(
    Array.from({ length: n }, (_, i) => ({
      name: `old${i}`,
      status: 'succeeded',
      createdDaysAgo: 40,
      finishedDaysAgo: 40,
    })),
  )

const left = async () =>
  (await database.sql<{ id: string }[]>`select id from executions order by id`).map((r) => r.id)

function deps(config: Partial<RetentionConfig> = {}, busy?: () => boolean) {
  const metrics = createWorkerMetrics()
  return {
    metrics,
    run: () =>
      runRetention({
        ...(busy && { inBurst: busy }),
        db: database,
        logger: silentLogger(),
        metrics,
        config: {
          executionDays: 30,
          deadDays: 90,
          auditDays: 365,
          rowsPerSecond: 1_000_000,
          minPauseMs: 0,
          ...config,
        },
        now: () => new Date(NOW),
        going: () => true,
      }),
  }
}

describe('retention', () => {
  it('deletes finished rows past their horizon and keeps the rest, in batches', async () => {
    const ids = await insert([
      { name: 'old-succeeded', status: 'succeeded', createdDaysAgo: 40, finishedDaysAgo: 40 },
      { name: 'old-skipped', status: 'skipped', createdDaysAgo: 45, finishedDaysAgo: 45, kind: 'fire' },
      { name: 'old-cancelled', status: 'cancelled', createdDaysAgo: 35, finishedDaysAgo: 35 },
      // Created long ago, finished lately (retried for weeks): its end is what counts.
      { name: 'late-finish', status: 'succeeded', createdDaysAgo: 60, finishedDaysAgo: 10 },
      { name: 'young', status: 'succeeded', createdDaysAgo: 20, finishedDaysAgo: 20 },
      { name: 'old-queued', status: 'queued', createdDaysAgo: 50 },
      { name: 'old-retrying', status: 'retrying', createdDaysAgo: 50 },
      { name: 'dead-old', status: 'dead', createdDaysAgo: 120, finishedDaysAgo: 120 },
      { name: 'dead-young', status: 'dead', createdDaysAgo: 40, finishedDaysAgo: 40 },
      { name: 'dead-redriving', status: 'dead', createdDaysAgo: 100, finishedDaysAgo: 100 },
      { name: 'dead-redriven', status: 'dead', createdDaysAgo: 100, finishedDaysAgo: 100 },
    ])
    await insert([
      // A redrive still running keeps its dead execution; one that ended does not.
      {
        name: 'redrive-running',
        status: 'running',
        createdDaysAgo: 1,
        kind: 'redrive',
        retryOf: ids.get('dead-redriving'),
      },
      {
        name: 'redrive-done',
        status: 'succeeded',
        createdDaysAgo: 1,
        finishedDaysAgo: 1,
        kind: 'redrive',
        retryOf: ids.get('dead-redriven'),
      },
    ]).then((m) => {
      for (const [k, v] of m) ids.set(k, v)
    })
    await audit([400, 370, 100, 1])
    // Batches of two: every target takes several statements.
    const { run, metrics } = deps({ batchSize: 2 })
    expect(await run()).toMatchObject({ executions: 3, dead: 2, audit: 2 })
    const kept = [
      'late-finish',
      'young',
      'old-queued',
      'old-retrying',
      'dead-young',
      'dead-redriving',
      'redrive-running',
      'redrive-done',
    ]
    expect(await left()).toEqual(kept.map((n) => ids.get(n)!).sort())
    const [{ n }] = await database.sql<{ n: number }[]>`select count(*)::int as n from audit_log`
    expect(n).toBe(2)
    const deleted = await metrics.registry.getSingleMetricAsString('punctual_worker_retention_deleted_total')
    expect(deleted).toContain('punctual_worker_retention_deleted_total{target="executions"} 3')
    expect(deleted).toContain('punctual_worker_retention_deleted_total{target="dead"} 2')
    expect(deleted).toContain('punctual_worker_retention_deleted_total{target="audit"} 2')
    expect(
      await metrics.registry.getSingleMetricAsString('punctual_worker_retention_last_run_timestamp_seconds'),
    ).toMatch(/seconds \d{10}/)
    // Once the redrive ends, its dead execution goes at the next pass.
    await database.sql`update executions set status = 'succeeded', finished_at = now() where id = ${ids.get('redrive-running')!}`
    expect(await run()).toMatchObject({ executions: 0, dead: 1, audit: 0 })
  })

  it('two workers at once: one runs the pass, the other finds it held', async () => {
    await oldRows(30)
    // Small batches with pauses: the first pass is still running when the second asks.
    const a = deps({ batchSize: 5, minPauseMs: 30 })
    const b = deps({ batchSize: 5, minPauseMs: 30 })
    const results = await Promise.all([a.run(), b.run()])
    const ran = results.filter((r) => r !== null)
    expect(ran).toHaveLength(1)
    expect(ran[0]).toMatchObject({ executions: 30 })
    expect(results.filter((r) => r === null)).toHaveLength(1)
    expect(await left()).toEqual([])
    // The lock was let go: the next pass runs (and finds nothing).
    expect(await a.run()).toMatchObject({ executions: 0, dead: 0, audit: 0 })
  })

  it('keeps its pace: 60 rows at 200 a second take at least 0.3 s, in batches that each wait their turn', async () => {
    await oldRows(60)
    const t0 = performance.now()
    const paced = await deps({ batchSize: 20, rowsPerSecond: 200 }).run()
    const took = performance.now() - t0
    expect(paced).toMatchObject({ executions: 60 })
    expect(await left()).toEqual([])
    // Three batches of 20, each followed by the pause that keeps 200 rows a second (100 ms each, less the
    // batch's own time): the pass cannot be quicker than the pace allows.
    expect(took).toBeGreaterThanOrEqual(290)
  })
})

describe('retention beside a burst of claims', () => {
  it('deletes nothing while the burst lasts, then goes on', async () => {
    await oldRows(10)
    const burstEnds = performance.now() + 300
    const pass = deps({ batchSize: 5 }, () => performance.now() < burstEnds).run()
    // Looked at while the burst lasts: every row is still there.
    await new Promise((r) => setTimeout(r, 200))
    const leftDuringBurst = (await left()).length
    expect(await pass).toMatchObject({ executions: 10 })
    expect(leftDuringBurst).toBe(10)
    expect(await left()).toEqual([])
  })

  it('a burst that never ends delays each batch by the cap at most', async () => {
    await oldRows(10)
    const t0 = performance.now()
    // Batches of 5: two that delete, then the walks that find nothing (executions, dead, audit); each batch
    // waits the 100 ms cap first, and the pass still ends.
    expect(await deps({ batchSize: 5, burstWaitMs: 100 }, () => true).run()).toMatchObject({ executions: 10 })
    const took = performance.now() - t0
    expect(took).toBeGreaterThanOrEqual(290)
    expect(await left()).toEqual([])
  })
})

describe('retentionPauseMs', () => {
  it('keeps the pace, never pauses less than the batch took, and never less than the floor', () => {
    // 1,000 rows at 5,000 a second: 200 ms per batch, of which the batch took 15.
    expect(retentionPauseMs(1000, 15, 5000, 50)).toBe(185)
    // A slow batch (Postgres busy): at least as long as it took, whatever the pace.
    expect(retentionPauseMs(1000, 400, 5000, 50)).toBe(400)
    // Nothing deleted (a walk over kept rows): the floor, or the batch's own time.
    expect(retentionPauseMs(0, 10, 5000, 50)).toBe(50)
    expect(retentionPauseMs(0, 80, 5000, 50)).toBe(80)
  })
})
