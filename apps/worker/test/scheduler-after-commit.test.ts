// The Redis side of a committed chunk (after-commit.ts), against real Redis: what each decision does to its
// claim in the due-index, and which fires reach the execution queue.
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { FireScheduleRow, NewFireExecution } from '@punctual/db'
import { claimDue, createExecutionQueue, getDueEntry, upsertSchedule } from '@punctual/queue'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AfterCommitDeps, afterCommit } from '../src/scheduler/after-commit.ts'
import type { ClaimDecision, FireDecision } from '../src/scheduler/decide.ts'
import type { SchedulerEvents } from '../src/scheduler/events.ts'
import { createHeldClaims } from '../src/scheduler/held-claims.ts'
import type { Committed } from '../src/scheduler/record-fires.ts'
import { createPendingSteps } from '../src/scheduler/redis-steps.ts'
import { collect } from './helpers.ts'

let redis: TestRedis
beforeAll(async () => {
  redis = await createTestRedis()
})
afterAll(async () => {
  await redis?.cleanup()
})

const LEASE_MS = 10_000

function deps(workerId: string): AfterCommitDeps {
  return {
    redis: redis.redis,
    keys: redis.keys,
    queue: createExecutionQueue(redis.redis, redis.keys),
    workerId,
    logger: pino({ level: 'silent' }),
    clock: Date.now,
    held: createHeldClaims(LEASE_MS),
    pending: createPendingSteps(),
    events: new EventEmitter<SchedulerEvents>(),
  }
}

/** Due-index entries due now, claimed by `workerId`. */
async function claimed(workerId: string, names: string[], now: number) {
  const ids = Object.fromEntries(names.map((n) => [n, randomUUID()]))
  for (const id of Object.values(ids)) {
    await upsertSchedule(redis.redis, redis.keys, {
      scheduleId: id,
      workflowId: randomUUID(),
      version: 1,
      nextRunAtMs: now - 100,
      conflictProfile: '',
    })
  }
  const { claims } = await claimDue(redis.redis, redis.keys, {
    workerId,
    now,
    lookaheadMs: 0,
    max: 100,
    leaseMs: LEASE_MS,
  })
  const byId = new Map(claims.map((c) => [c.scheduleId, c]))
  return Object.fromEntries(names.map((n) => [n, byId.get(ids[n]!)!]))
}

const rowOf = (id: string) =>
  ({
    id,
    tenant: 'acme',
    workflowId: randomUUID(),
    priority: 3,
    version: 1,
    state: 'active',
  }) as FireScheduleRow
const fireRow = (scheduleId: string, status: NewFireExecution['status'], at: number, held = false) => ({
  id: randomUUID(),
  scheduleId,
  scheduledForMs: at,
  status,
  held,
  availableAtMs: status === 'queued' ? at : null,
  dueAtMs: at,
})
const fire = (rows: NewFireExecution[], over: Partial<FireDecision> = {}): FireDecision => ({
  kind: 'fire',
  rows,
  cancelIds: [],
  missedBeyondRows: 0,
  nextRunAtMs: null,
  state: 'active',
  waitUntilMs: null,
  changed: true,
  ...over,
})

describe('afterCommit', () => {
  it('ends, moves on, keeps or gives back each claim, and enqueues only the queued fires it inserted', async () => {
    const now = Date.now()
    const d = deps('after-commit-a')
    const c = await claimed(d.workerId, ['fired', 'waiting', 'finished', 'released', 'retried', 'moved'], now)
    const fired = [
      fireRow(c.fired!.scheduleId, 'queued', now),
      fireRow(c.fired!.scheduleId, 'queued', now + 1000, true),
    ]
    const notInserted = fireRow(c.fired!.scheduleId, 'queued', now + 2000)
    const decisions: [string, ClaimDecision][] = [
      ['fired', fire([...fired, notInserted], { nextRunAtMs: now + 3000 })],
      // Waits for an overlap decision inside half the lease: kept by this scheduler.
      ['waiting', fire([], { waitUntilMs: now + 1000, nextRunAtMs: now + 1000, changed: false })],
      ['finished', { kind: 'finish' }],
      ['released', { kind: 'release' }],
      ['retried', { kind: 'retry', reason: 'row-behind' }],
      // Not written although it changed: the row moved under the lock, the claim goes back.
      ['moved', fire([], { nextRunAtMs: now + 5000 })],
    ]
    const committed: Committed = {
      now,
      decisions: decisions.map(([name, decision]) => ({
        work: { claim: c[name]!, claimedAt: now, attempts: 0 },
        row: rowOf(c[name]!.scheduleId),
        decision,
      })),
      inserted: new Set(fired.map((r) => r.id)),
      cancelled: [],
      cancelRequested: [],
      written: new Set([c.fired!.scheduleId]),
      missedIncrements: new Map(),
      events: [],
    }
    const recorded = collect(d.events, 'fire.recorded')
    const result = { recorded: 0, skipped: 0, missed: 0 }
    await afterCommit(d, committed, result)

    const entry = (name: string) => getDueEntry(redis.redis, redis.keys, c[name]!.scheduleId)
    expect((await entry('fired'))?.scoreMs).toBe(now + 3000)
    expect((await entry('finished'))?.scoreMs ?? null).toBeNull()
    expect(d.held.size).toBe(2)
    // Given back: claimable again by another scheduler; the held ones are not.
    const { claims } = await claimDue(redis.redis, redis.keys, {
      workerId: 'other',
      now: Date.now(),
      lookaheadMs: 0,
      max: 100,
      leaseMs: LEASE_MS,
    })
    expect(claims.map((x) => x.scheduleId).sort()).toEqual(
      [c.released!.scheduleId, c.moved!.scheduleId].sort(),
    )

    const queue = createExecutionQueue(redis.redis, redis.keys)
    expect(await queue.get(fired[0]!.id)).toMatchObject({ id: fired[0]!.id })
    // Held by buffer_one (kept out of Redis), or not inserted by this transaction (an earlier claim did).
    expect(await queue.get(fired[1]!.id)).toBeNull()
    expect(await queue.get(notInserted.id)).toBeNull()
    expect(recorded.items.map((e) => e.executionId)).toEqual(fired.map((r) => r.id))
    expect(result.recorded).toBe(2)
  })

  it('a claim that cannot be kept within half its lease is ended at its waiting fire instead', async () => {
    const now = Date.now()
    const d = deps('after-commit-b')
    const c = await claimed(d.workerId, ['late'], now)
    const waitUntil = now + LEASE_MS
    await afterCommit(
      d,
      {
        now,
        decisions: [
          {
            work: { claim: c.late!, claimedAt: now, attempts: 0 },
            row: rowOf(c.late!.scheduleId),
            decision: fire([], { waitUntilMs: waitUntil, nextRunAtMs: waitUntil }),
          },
        ],
        inserted: new Set(),
        cancelled: [],
        cancelRequested: [],
        written: new Set([c.late!.scheduleId]),
        missedIncrements: new Map(),
        events: [],
      },
      { recorded: 0, skipped: 0, missed: 0 },
    )
    expect(d.held.size).toBe(0)
    expect((await getDueEntry(redis.redis, redis.keys, c.late!.scheduleId))?.scoreMs).toBe(waitUntil)
  })
})
