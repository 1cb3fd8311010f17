import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { waitFor } from '@punctual/core/testing'
import { createDb, RECEIPT_TTL_MS } from '@punctual/db'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMaintenanceLoop } from '../src/maintenance/loop.ts'
import { createWorkerMetrics } from '../src/maintenance/metrics.ts'
import { purgeExpiredReceipts } from '../src/maintenance/receipt-purge.ts'
import { setupWorkerTest, type WorkerTestContext } from './helpers.ts'

let ctx: WorkerTestContext
beforeAll(async () => {
  ctx = await setupWorkerTest()
})
afterAll(() => ctx.close())

/** One webhook delivery receipt and one event receipt per name, received `ageMs` ago (tenant = `tenant`). */
async function receipts(tenant: string, ageMs: number, names: string[]) {
  const at = new Date(Date.now() - ageMs).toISOString()
  for (const name of names) {
    await ctx.database.sql`
      insert into webhook_deliveries (tenant, trigger_id, delivery_id, received_at)
      values (${tenant}, ${randomUUID()}, ${name}, ${at}::timestamptz)`
    await ctx.database.sql`
      insert into event_receipts (tenant, event_id, type, received_at)
      values (${tenant}, ${name}, 'order.created', ${at}::timestamptz)`
  }
}

async function left(tenant: string) {
  const deliveries = await ctx.database.sql<{ id: string }[]>`
    select delivery_id as id from webhook_deliveries where tenant = ${tenant} order by delivery_id`
  const events = await ctx.database.sql<{ id: string }[]>`
    select event_id as id from event_receipts where tenant = ${tenant} order by event_id`
  return { deliveries: deliveries.map((r) => r.id), events: events.map((r) => r.id) }
}

describe('receipt purging', () => {
  it('deletes the receipts past their window and keeps those inside it', async () => {
    await receipts('purge-once', RECEIPT_TTL_MS + 60_000, ['old-1', 'old-2'])
    await receipts('purge-once', RECEIPT_TTL_MS - 60_000, ['fresh-1'])
    await receipts('purge-once', 1000, ['fresh-2'])
    const purged = await purgeExpiredReceipts(ctx.database, ctx.logger, new Date())
    expect(purged).toEqual({ deliveries: 2, events: 2 })
    expect(await left('purge-once')).toEqual({
      deliveries: ['fresh-1', 'fresh-2'],
      events: ['fresh-1', 'fresh-2'],
    })
  })

  it('logs a failed pass and answers null, for the next pass to retry', async () => {
    let logged = ''
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _enc, done) {
          logged += chunk
          done()
        },
      }),
    )
    const down = createDb('postgres://postgres@127.0.0.1:1/none', { connectTimeoutSeconds: 1 })
    try {
      expect(await purgeExpiredReceipts(down, logger, new Date())).toBeNull()
    } finally {
      await down.close()
    }
    expect(logged).toContain('purging expired delivery and event receipts failed; retried later')
  })

  it('runs on the maintenance loop every WORKER_RECEIPT_PURGE_INTERVAL_MS until stopped', async () => {
    await receipts('purge-loop', RECEIPT_TTL_MS + 60_000, ['old'])
    await receipts('purge-loop', 1000, ['fresh'])
    const loop = createMaintenanceLoop({
      db: ctx.database,
      redis: ctx.redis.redis,
      keys: ctx.redis.keys,
      logger: ctx.logger,
      metrics: createWorkerMetrics(),
      // Reconcile far away: only the purge runs during the test.
      config: {
        reconcileIntervalMs: 3_600_000,
        receiptPurgeIntervalMs: 100,
        retentionIntervalMs: 3_600_000,
        patternsIntervalMs: 3_600_000,
        retention: { executionDays: 30, deadDays: 90, auditDays: 365, rowsPerSecond: 5000 },
      },
    })
    loop.start()
    try {
      await waitFor('the old receipts purged', async () => (await left('purge-loop')).events.length === 1)
      expect(await left('purge-loop')).toEqual({ deliveries: ['fresh'], events: ['fresh'] })
    } finally {
      loop.stop()
    }
    // Stopped: a receipt that expires now stays.
    await receipts('purge-loop', RECEIPT_TTL_MS + 60_000, ['after-stop'])
    await new Promise((r) => setTimeout(r, 400))
    expect((await left('purge-loop')).events).toEqual(['after-stop', 'fresh'])
  })
})
