// The event bus's parts alone: reading the stream (read.ts, real Redis), the report of a handled batch
// (report.ts), and the periodic pass's failure handling (periodic-pass.ts, a Postgres that refuses).
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { sleep, waitFor } from '@punctual/core/testing'
import { createDb, type StartOutcome } from '@punctual/db'
import {
  ackSystemEvents,
  EVENT_GROUP,
  ensureSystemEventGroup,
  publishSystemEvents,
  readSystemEvents,
  type StreamedSystemEvent,
} from '@punctual/queue'
import { createTestRedis, type TestRedis } from '@punctual/queue/testing'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BusBackoff, EventBusEventMap } from '../src/bus/events.ts'
import { createPeriodicPass } from '../src/bus/periodic-pass.ts'
import type { BatchPlan, EventPlan } from '../src/bus/plan.ts'
import { createStreamReader } from '../src/bus/read.ts'
import { reportHandled, safeEmitter } from '../src/bus/report.ts'
import { collect } from './helpers.ts'

let r: TestRedis
beforeAll(async () => {
  r = await createTestRedis()
})
afterAll(async () => {
  await r?.cleanup()
})

/** A logger whose lines (as objects) land in `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = []
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) })
  return { logger, lines }
}

const ref = (type: StreamedSystemEvent['type'] = 'execution.succeeded') => ({
  outboxId: String(Math.floor(Math.random() * 1e9)),
  tenant: 'acme',
  type,
  subjectId: randomUUID(),
})

describe('the stream reader', () => {
  it('reads new entries, drops malformed ones, and takes over what another consumer left pending', async () => {
    const { keys } = r
    await ensureSystemEventGroup(r.redis, keys)
    const left = [ref(), ref()]
    await publishSystemEvents(r.redis, keys, left)
    // A consumer that read them and died before acknowledging.
    const dead = await readSystemEvents(r.redis, keys, { consumer: 'dead', count: 10, blockMs: 0 })
    expect(dead.events).toHaveLength(2)

    const reader = r.redis.duplicate()
    reader.on('error', () => {})
    const { logger, lines } = capturingLogger()
    const next = createStreamReader({
      redis: r.redis,
      reader,
      keys,
      workerId: 'alive',
      logger,
      clock: Date.now,
      config: { batchSize: 10, blockMs: 200, redeliverMs: 300 },
    })
    try {
      const fresh = ref()
      await publishSystemEvents(r.redis, keys, [fresh])
      await r.redis.xadd(keys.events, '*', 'junk', '1')
      // Not idle long enough to take over yet: the new entry, and the malformed one dropped.
      const first = await next()
      expect(first.map((e) => e.outboxId)).toEqual([fresh.outboxId])
      expect(lines.some((l) => l['msg'] === 'malformed system event entries dropped')).toBe(true)
      expect(await r.redis.xlen(keys.events)).toBe(3)
      // Handled (the handler acknowledges): not pending any more.
      await ackSystemEvents(r.redis, keys, [first[0]!.streamId])

      await sleep(350)
      let taken: StreamedSystemEvent[] = []
      await waitFor('the pending entries to be taken over', async () => {
        taken = await next()
        return taken.length > 0
      })
      expect(taken.map((e) => e.outboxId).sort()).toEqual(left.map((e) => e.outboxId).sort())
      // They are this consumer's now (the dead one holds nothing).
      const pending = (await r.redis.xpending(keys.events, EVENT_GROUP, '-', '+', 10)) as [string, string][]
      expect(pending.map(([, consumer]) => consumer)).toEqual(['alive', 'alive'])
    } finally {
      reader.disconnect()
    }
  })
})

describe('the report of a handled batch', () => {
  const event = (type: StreamedSystemEvent['type'] = 'execution.succeeded'): StreamedSystemEvent => ({
    ...ref(type),
    streamId: '1-0',
  })
  const stop = { tenant: 'acme', eventId: 'e', triggerId: 't1', workflowId: 'w', causedBy: 'x', loops: 11 }
  const plan = (p: Partial<EventPlan>): EventPlan => {
    const e = event()
    return {
      event: e,
      eventId: `id-${e.outboxId}`,
      request: null,
      outcome: 'commit',
      stopped: [],
      inputTooLarge: [],
      ...p,
    }
  }

  it('emits each event with its outcome after the commit; a duplicate reports no stopped chain again', () => {
    const emitter = new EventEmitter<EventBusEventMap>()
    const handled = collect(emitter, 'event.handled')
    const stopped = collect(emitter, 'chain.stopped')
    const { logger, lines } = capturingLogger()
    const plans = [
      plan({ request: 0, stopped: [stop] }),
      plan({ request: 1, stopped: [stop] }),
      plan({ outcome: 'unmatched' }),
      plan({ outcome: 'too-costly' }),
      plan({ request: 2 }),
    ]
    const outcomes: StartOutcome[] = [
      { outcome: 'started', executionIds: ['a'] },
      { outcome: 'duplicate', executionIds: ['b'] },
      { outcome: 'gone' },
    ]
    const batch: BatchPlan = { requests: [], audits: new Map(), outboxIds: [], plans, alreadyHandled: [] }
    reportHandled(batch, outcomes, safeEmitter(emitter, logger), logger)
    expect(handled.items.map((h) => [h.outcome, h.executionIds, h.stoppedTriggerIds])).toEqual([
      ['started', ['a'], ['t1']],
      ['duplicate', ['b'], ['t1']],
      ['unmatched', [], []],
      ['too-costly', [], []],
      ['started', [], []],
    ])
    expect(stopped.items).toEqual([stop])
    const warned = lines.filter((l) => String(l['msg']).startsWith('system event too costly'))
    expect(warned.map((l) => l['eventId'])).toEqual([plans[3]!.eventId])
  })

  it('a listener that throws is logged and does not stop the report', () => {
    const emitter = new EventEmitter<EventBusEventMap>()
    emitter.on('chain.stopped', () => {
      throw new Error('listener bug')
    })
    const handled = collect(emitter, 'event.handled')
    const { logger, lines } = capturingLogger()
    const batch: BatchPlan = {
      requests: [],
      audits: new Map(),
      outboxIds: [],
      plans: [plan({ request: 0, stopped: [stop] })],
      alreadyHandled: [],
    }
    reportHandled(batch, [{ outcome: 'started', executionIds: [] }], safeEmitter(emitter, logger), logger)
    expect(handled.items).toHaveLength(1)
    expect(lines.filter((l) => l['msg'] === 'event bus listener threw').map((l) => l['event'])).toEqual([
      'chain.stopped',
    ])
  })
})

describe('the periodic pass', () => {
  it('a failed pass is reported and retried by the next one; none starts after stop', async () => {
    // Nothing listens on port 1: every pass fails at once.
    const db = createDb('postgres://postgres@127.0.0.1:1/none', { max: 1 })
    const events = new EventEmitter<EventBusEventMap>()
    const backoffs = collect(events, 'bus.backoff')
    const { logger, lines } = capturingLogger()
    const passes = createPeriodicPass({
      db,
      redis: r.redis,
      keys: r.keys,
      logger,
      clock: Date.now,
      events,
      redeliverMs: 20,
    })
    try {
      await passes.runNow()
      passes.start()
      await waitFor('three failed passes', () => backoffs.items.length >= 3)
      await passes.stop()
      const seen = backoffs.items.length
      await sleep(100)
      expect(backoffs.items).toHaveLength(seen)
      expect(backoffs.items.map((b: BusBackoff) => [b.phase, b.failures, b.delayMs])).toEqual(
        backoffs.items.map((_, i) => ['relay', i + 1, 20]),
      )
      // Logged on the first failure (then every 20th), not on each.
      expect(lines.filter((l) => l['msg'] === 'outbox relay pass failed; next pass retries')).toHaveLength(
        seen >= 20 ? 2 : 1,
      )
    } finally {
      await passes.stop()
      await db.close()
    }
  })
})
