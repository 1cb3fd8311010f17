import { sleep } from '@punctual/core/testing'
import { describe, expect, it } from 'vitest'
import {
  abortableSleep,
  type BackoffFailure,
  backoffMs,
  createBackoff,
  createInflight,
  createWakeup,
  DbDeadlineError,
  errorMessage,
  withDeadline,
} from '../src/loop/index.ts'
import { silentLogger } from '../src/runner/testing.ts'

describe('backoffMs', () => {
  it('doubles from 100 ms with half of it jittered, capped at 2 s (or the cap given)', () => {
    for (const [maxMs, cap] of [
      [undefined, 2000],
      [5000, 5000],
    ] as const) {
      for (let failures = 1; failures <= 40; failures++) {
        const base = Math.min(cap, 100 * 2 ** (failures - 1))
        for (let i = 0; i < 50; i++) {
          const ms = backoffMs(failures, maxMs)
          expect(ms).toBeGreaterThanOrEqual(base / 2)
          expect(ms).toBeLessThanOrEqual(base)
        }
      }
    }
    // The cap is reached, not only bounded: a long outage waits about the cap.
    expect(Math.max(...Array.from({ length: 200 }, () => backoffMs(30)))).toBeGreaterThan(1500)
  })
})

describe('createBackoff', () => {
  it('tracks consecutive failures: wait after fail, nothing after ok, counting again from one', () => {
    const seen: BackoffFailure<'start'>[] = []
    const b = createBackoff('start', silentLogger(), (e) => seen.push(e))
    expect(b.wait()).toBe(0)
    expect(b.failing).toBe(false)
    const first = b.fail(new Error('down'))
    expect(b.failing).toBe(true)
    expect(b.wait()).toBeGreaterThan(0)
    expect(b.wait()).toBeLessThanOrEqual(first)
    b.fail(new Error('still down'))
    expect(seen.map((e) => [e.phase, e.error, e.failures])).toEqual([
      ['start', 'down', 1],
      ['start', 'still down', 2],
    ])
    expect(seen[0]!.delayMs).toBe(first)
    b.ok()
    expect(b.wait()).toBe(0)
    expect(b.failing).toBe(false)
    b.fail('again')
    expect(seen.at(-1)).toMatchObject({ error: 'again', failures: 1 })
  })
})

describe('withDeadline', () => {
  it('passes a prompt answer or error through', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000)).resolves.toBe(7)
    await expect(withDeadline(Promise.reject(new Error('refused')), 1000)).rejects.toThrow('refused')
  })

  it('rejects with DbDeadlineError when the call does not answer in time; a late answer is ignored', async () => {
    let rejectLate!: (err: Error) => void
    const late = new Promise<number>((_, reject) => {
      rejectLate = reject
    })
    const err = await withDeadline(late, 20, 'recording fires').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DbDeadlineError)
    expect(err).toMatchObject({ code: 'DB_DEADLINE' })
    expect((err as Error).message).toBe('recording fires: Postgres did not answer within 20 ms')
    expect(new DbDeadlineError(5).message).toBe('Postgres did not answer within 5 ms')
    // The abandoned call failing later is not an unhandled rejection (vitest would fail the run).
    rejectLate(new Error('late'))
    await sleep(10)
  })
})

describe('createWakeup', () => {
  it('wakes every sleeper early; a later sleep is not woken by an earlier wake', async () => {
    const wakeup = createWakeup()
    const a = wakeup.sleep(600_000).then(() => 'a')
    const b = wakeup.sleep(600_000).then(() => 'b')
    wakeup.wake()
    expect(await Promise.all([a, b])).toEqual(['a', 'b'])
    const order: string[] = []
    const c = wakeup.sleep(600_000).then(() => order.push('woken'))
    await sleep(20).then(() => order.push('slept'))
    wakeup.wake()
    await c
    expect(order).toEqual(['slept', 'woken'])
  })

  it('abortableSleep ends when its signal aborts', async () => {
    const controller = new AbortController()
    const slept = abortableSleep(600_000, controller.signal)
    controller.abort(new Error('stop'))
    await slept
    await abortableSleep(1, new AbortController().signal)
  })
})

describe('createInflight', () => {
  it('forgets settled work (rejected too) and waits for the rest up to a bound', async () => {
    const inflight = createInflight()
    let finish!: () => void
    inflight.track(new Promise<void>((resolve) => (finish = resolve)))
    inflight.track(Promise.reject(new Error('failed run')))
    inflight.track(new Promise<void>(() => {})) // never settles
    await sleep(0)
    expect(inflight.size).toBe(2)
    finish()
    await inflight.settleWithin(100)
    expect(inflight.size).toBe(1)
  })
})

describe('errorMessage', () => {
  it('is the message, the name of an error without one, or the thrown value', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom')
    expect(errorMessage(new TypeError())).toBe('TypeError')
    expect(errorMessage('plain')).toBe('plain')
  })
})
