/**
 * The only place Redis key strings are built. Every key of one deployment sits under a single hash tag
 * (`{punctual}`), so all of them hash to the same Redis Cluster slot and any Lua script may touch any of them.
 * A different prefix gives an isolated keyspace (tests use one prefix per file).
 */
export interface QueueKeys {
  /** The raw prefix, e.g. `punctual`. */
  readonly prefix: string
  /** The hash tag every key starts with, e.g. `{punctual}`. */
  readonly tag: string
  /** Glob matching every key of this prefix and no other prefix (`SCAN MATCH`). */
  readonly scanPattern: string
  /** ZSET scheduleId → next fire time in ms. */
  readonly due: string
  /** HASH scheduleId → version of the row the due entry was written from. */
  readonly dueVersion: string
  /** HASH scheduleId → `workflowId|m1,m2,...`: the schedule's membership in the per-minute conflict index. */
  readonly scheduleMinutes: string
  /** Prefix of `workflowMinutes(id)`; Lua scripts append a workflow id read from `scheduleMinutes` to it. */
  readonly workflowMinutesPrefix: string
  /** ZSET per workflow, members `<minute 4 digits>:<scheduleId>` scored by UTC minute-of-day (0..1439). */
  workflowMinutes(workflowId: string): string
  /** Key prefix for @fastify/rate-limit's Redis store. */
  readonly rateLimit: string
}

// No braces (they would end the hash tag early) and no glob characters (they would widen scanPattern).
const PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/

export function createKeys(prefix = 'punctual'): QueueKeys {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new TypeError(`Invalid Redis key prefix ${JSON.stringify(prefix)}: use 1-64 of [A-Za-z0-9_.-]`)
  }
  const tag = `{${prefix}}`
  const key = (...parts: string[]) => [tag, ...parts].join(':')
  const workflowMinutesPrefix = key('workflow-minutes', '')
  return Object.freeze({
    prefix,
    tag,
    scanPattern: `${tag}*`,
    due: key('due'),
    dueVersion: key('due-version'),
    scheduleMinutes: key('schedule-minutes'),
    workflowMinutesPrefix,
    workflowMinutes(workflowId: string) {
      if (workflowId.length === 0) throw new TypeError('workflowId must not be empty')
      return workflowMinutesPrefix + workflowId
    },
    rateLimit: key('rl', ''),
  })
}
