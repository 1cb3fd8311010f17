import { compileDirect } from './events/direct-match.ts'
import { type EventPattern, isPlainObject } from './events/pattern.ts'
import { TRANSITIONS } from './execution-state.ts'
import { type ExecutionStatus, executionStatuses } from './schemas/execution.ts'
import { standardWebhookDigest, standardWebhookKey } from './webhooks/signatures.ts'

/**
 * Helpers for tests and benchmarks (not part of the runtime surface): a small seeded random generator
 * (mulberry32), so that a property test or a benchmark workload can be replayed from its seed.
 */
export function seededRandom(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  return { next, int, pick, chance: (p: number) => next() < p }
}

export type SeededRandom = ReturnType<typeof seededRandom>

/**
 * What a pattern matches, by definition: the direct evaluator run to the end (no fuel limit, no index).
 * The reference that matchesPattern, PatternIndex and TriggerMatcher are tested against; its cost is the
 * product of payload values and pattern entries, so keep payloads moderate.
 */
export function matchesPatternReference(pattern: EventPattern | null | undefined, data: unknown): boolean {
  if (pattern === null || pattern === undefined) return true
  if (!isPlainObject(pattern)) return false
  return compileDirect(pattern)(data)
}

/**
 * Whether an event of `type` is selected by a trigger's eventType `glob`, by definition: the reference the
 * trigger index (eventTypeSelectors, parseEventTypeGlob) is tested and benchmarked against.
 */
export function eventTypeMatches(glob: string, type: string): boolean {
  if (glob === '*') return true
  if (!glob.endsWith('.*')) return glob === type
  // "order.*" needs at least one character after "order.".
  const dot = glob.length - 2
  return type.length > dot + 1 && type.startsWith(glob.slice(0, dot + 1))
}

/** Whether `from → to` is an edge of the execution state machine (core TRANSITIONS). */
export function canTransition(from: ExecutionStatus, to: ExecutionStatus): boolean {
  return typeof from === 'string' && Object.hasOwn(TRANSITIONS, from) && TRANSITIONS[from].includes(to)
}

/** The statuses `to` may be reached from: what a status guard's `status in (…)` must be drawn from. */
export function transitionSources(to: ExecutionStatus): ExecutionStatus[] {
  return executionStatuses.filter((from) => TRANSITIONS[from].includes(to))
}

/**
 * A Standard Webhooks signature header value (`v1,<base64>`), as a sender computes it: what tests and
 * benchmarks put on their deliveries (the API only verifies, verifyStandardWebhook).
 */
export function signStandardWebhook(input: {
  secret: string
  id: string
  /** Unix seconds. */
  timestamp: number | string
  body: Buffer | string
}): string {
  const key = standardWebhookKey(input.secret)
  if (!key) throw new TypeError('secret must be whsec_ followed by base64')
  return `v1,${standardWebhookDigest(key, input.id, String(input.timestamp), input.body).toString('base64')}`
}

/** Resolves after `ms` milliseconds. For tests that must let real time pass (a lease, a cron second). */
/**
 * Collects the JSON log lines a child process writes on `stream` (pino's output) into `logs`; a line that is
 * not JSON is kept as `fallback(line)`. For the process fixtures of the API and the worker.
 */
export function collectJsonLines(
  stream: NodeJS.ReadableStream,
  logs: Record<string, unknown>[],
  fallback: (line: string) => Record<string, unknown>,
): void {
  let buffer = ''
  stream.on('data', (d) => {
    buffer += d
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    for (const line of parts) {
      if (!line) continue
      try {
        logs.push(JSON.parse(line))
      } catch {
        logs.push(fallback(line))
      }
    }
  })
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))
}

export interface WaitForOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number
  /** Pause between two checks (default 25 ms). */
  intervalMs?: number
}

/**
 * Polls `check` until it returns something truthy, and resolves with it. A check
 * that throws is retried (the row may not exist yet); after `timeoutMs` the error names `what` and carries the
 * last error thrown. Prefer awaiting a typed event where one exists: this is for state read from outside.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  opts: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000
  const intervalMs = opts.intervalMs ?? 25
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value as NonNullable<T>
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      const reason =
        last === undefined ? '' : `; last error: ${last instanceof Error ? last.message : String(last)}`
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`, { cause: last })
    }
    await sleep(intervalMs)
  }
}
