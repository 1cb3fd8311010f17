import { seededRandom } from '@punctual/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createExecutionQueue } from '../src/execution-queue.ts'
import { createKeys, type QueueKeys } from '../src/keys.ts'
import { createTestRedis, deleteMatching, type TestRedis } from '../src/testing.ts'

/**
 * Every queue operation in random order, with workflow caps and TENANT_MAX_RUNNING: after each step the
 * counters match what the sets hold, no cap is exceeded, and no claimable work is left out of the rotation
 * (a tenant or workflow that is not at its cap is always reachable by the next dequeue).
 */

let t: TestRedis
let keys: QueueKeys
beforeAll(async () => {
  t = await createTestRedis()
  keys = createKeys(`${t.prefix}.inv`)
})
afterAll(async () => {
  await deleteMatching(t.redis, keys.scanPattern)
  await t?.cleanup()
})

const TENANTS = ['t0', 't1', 't2', 't3']
const CAPS: Record<string, number | null> = { w0: 1, w1: 2, w2: null }
const TENANT_CAP = 3
const LEASE = 1000

interface Snapshot {
  hashes: Map<string, Record<string, string>>
  running: Map<string, number>
  delayed: Map<string, number>
}

async function snapshot(): Promise<Snapshot> {
  const hashes = new Map<string, Record<string, string>>()
  const ids = await scanIds()
  for (const id of ids) hashes.set(id, await t.redis.hgetall(keys.execution(id)))
  const toMap = (flat: string[]) => {
    const m = new Map<string, number>()
    for (let i = 0; i < flat.length; i += 2) m.set(flat[i]!, Number(flat[i + 1]))
    return m
  }
  return {
    hashes,
    running: toMap(await t.redis.zrange(keys.running, 0, -1, 'WITHSCORES')),
    delayed: toMap(await t.redis.zrange(keys.delayed, 0, -1, 'WITHSCORES')),
  }
}

async function scanIds(): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await t.redis.scan(cursor, 'MATCH', `${keys.executionPrefix}*`, 'COUNT', 1000)
    cursor = next
    for (const k of batch) found.push(k.slice(keys.executionPrefix.length))
  } while (cursor !== '0')
  return found
}

async function checkInvariants(step: number) {
  const s = await snapshot()
  const wfOf = (tenant: string, wf: string) => `${tenant}-${wf}`
  let readyTotal = 0
  for (const tenant of TENANTS) {
    const counts = await t.redis.hgetall(keys.tenantCounts(tenant))
    const mine = [...s.hashes.entries()].filter(([, h]) => h.tenant === tenant)
    const running = mine.filter(([id]) => s.running.has(id))
    const delayed = mine.filter(([id]) => s.delayed.has(id))
    let ready = 0
    const heads = new Map<string, number>()
    const flatHeads = await t.redis.zrange(keys.tenantHeads(tenant), 0, -1, 'WITHSCORES')
    for (let i = 0; i < flatHeads.length; i += 2) heads.set(flatHeads[i]!, Number(flatHeads[i + 1]))
    for (const wf of Object.keys(CAPS)) {
      const workflowId = wfOf(tenant, wf)
      const line = await t.redis.zrange(keys.workflowReady(workflowId), 0, 0, 'WITHSCORES')
      const size = await t.redis.zcard(keys.workflowReady(workflowId))
      ready += size
      const wfRunning = running.filter(([, h]) => h.workflowId === workflowId).length
      expect(
        Number((await t.redis.hget(keys.workflowRunning, workflowId)) ?? 0),
        `step ${step} ${workflowId} slots`,
      ).toBe(wfRunning)
      const cap = CAPS[wf]
      if (cap !== null && cap !== undefined)
        expect(wfRunning, `step ${step} ${workflowId} over its cap`).toBeLessThanOrEqual(cap)
      const claimable = size > 0 && (cap === null || cap === undefined || wfRunning < cap)
      expect(heads.get(workflowId), `step ${step} head of ${workflowId}`).toBe(
        claimable ? Number(line[1]) : undefined,
      )
    }
    readyTotal += ready
    expect(Number(counts.ready ?? 0), `step ${step} ${tenant} ready`).toBe(ready)
    expect(Number(counts.running ?? 0), `step ${step} ${tenant} running`).toBe(running.length)
    expect(Number(counts.delayed ?? 0), `step ${step} ${tenant} delayed`).toBe(delayed.length)
    expect(running.length, `step ${step} ${tenant} over TENANT_MAX_RUNNING`).toBeLessThanOrEqual(TENANT_CAP)
    const inTurns = (await t.redis.zscore(keys.turns, tenant)) !== null
    if (heads.size === 0) expect(inTurns, `step ${step} ${tenant} in turns without a head`).toBe(false)
    else if (running.length < TENANT_CAP)
      expect(inTurns, `step ${step} ${tenant} left out of the rotation`).toBe(true)
    // Every hash is in exactly one place; its slot flag is set exactly while it runs.
    for (const [id, h] of mine) {
      const places =
        Number(s.running.has(id)) +
        Number(s.delayed.has(id)) +
        Number((await t.redis.zscore(keys.workflowReady(h.workflowId!), id)) !== null)
      expect(places, `step ${step} ${id} is in ${places} places`).toBe(1)
      expect(h.slot === '1', `step ${step} ${id} slot flag`).toBe(s.running.has(id))
    }
  }
  expect(Number((await t.redis.hget(keys.counts, 'ready')) ?? 0), `step ${step} deployment ready`).toBe(
    readyTotal,
  )
}

describe('fair turns and caps under random operations', () => {
  it('keep every counter exact, every cap held and all claimable work reachable', async () => {
    const q = createExecutionQueue(t.redis, keys)
    for (const tenant of TENANTS) {
      for (const [wf, cap] of Object.entries(CAPS)) {
        if (cap !== null)
          await q.setWorkflowCap({ workflowId: `${tenant}-${wf}`, tenant, version: 1, maxConcurrency: cap })
      }
    }
    // Seeded, so a failure replays.
    const { next: rand, pick } = seededRandom(13)
    let now = 1_000_000
    let seq = 0
    let claimed = 0
    for (let step = 0; step < 250; step++) {
      const s = await snapshot()
      const running = [...s.running.keys()]
      const queued = [...s.hashes.keys()]
      const op = rand()
      if (op < 0.3) {
        const tenant = pick(TENANTS)
        const later = rand() < 0.2
        await q.enqueue(
          Array.from({ length: 1 + Math.floor(rand() * 4) }, () => ({
            id: `e${++seq}`,
            priority: Math.floor(rand() * 10),
            scheduledForMs: now - Math.floor(rand() * 1000),
            availableAtMs: later ? now + Math.floor(rand() * 3000) : undefined,
            attempt: 0,
            tenant,
            workflowId: `${tenant}-${pick(Object.keys(CAPS))}`,
            kind: 'manual' as const,
          })),
          now,
        )
      } else if (op < 0.55) {
        const got = await q.dequeue({
          workerId: pick(['wa', 'wb', 'wc']),
          count: 1 + Math.floor(rand() * 5),
          leaseMs: LEASE,
          now,
          tenantMaxRunning: TENANT_CAP,
        })
        claimed += got.items.length
      } else if (op < 0.7 && running.length > 0) {
        const id = pick(running)
        await q.ack({ workerId: s.hashes.get(id)!.owner!, id })
      } else if (op < 0.75 && running.length > 0) {
        const id = pick(running)
        await q.retryLater({ workerId: s.hashes.get(id)!.owner!, id, availableAtMs: now + 500, attempt: 1 })
      } else if (op < 0.8 && running.length > 0) {
        const id = pick(running)
        await q.release({ workerId: s.hashes.get(id)!.owner!, ids: [id] })
      } else if (op < 0.84 && queued.length > 0) {
        await q.cancel(pick(queued))
      } else if (op < 0.88 && queued.length > 0) {
        await q.remove(pick(queued))
      } else if (op < 0.93 && queued.length > 0) {
        await q.setPriority(pick(queued), Math.floor(rand() * 10))
      } else {
        now += Math.floor(rand() * 1500)
        if (rand() < 0.5) await q.promoteDue(now)
        else await q.reclaimExpired(now)
      }
      await checkInvariants(step)
    }
    // The run exercised the caps: work was claimed, and some of it waited behind a cap.
    expect(claimed).toBeGreaterThan(60)
  }, 120_000)
})
