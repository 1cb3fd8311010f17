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
  /** HASH scheduleId → `workflowId|profile`: the schedule's membership in the conflict index (core conflictProfile). */
  readonly scheduleMinutes: string
  /**
   * Prefix of the per-workflow conflict-index keys (scripts/includes/conflict-index.lua); Lua scripts build
   * `<prefix><d|h|m|n>:<workflowId>` for a workflow id read from `scheduleMinutes`.
   */
  readonly conflictPrefix: string
  /** The conflict-index keys of one workflow (see conflict-index.lua for their layout). */
  conflictKeys(workflowId: string): ConflictKeys
  /** ZSET scheduleId → claim-lease expiry (ms): due entries a scheduler took out of `due` and is firing. */
  readonly dueClaims: string
  /** HASH scheduleId → `<original score>|<version>|<workerId>`: what a claim restores when it lapses. */
  readonly dueClaimInfo: string
  /** `{prefix}:`: what the execution scripts build their per-tenant and per-workflow keys from. */
  readonly base: string
  /**
   * ZSET executionId → ready score: the single ready set of versions before fair turns (issue 13). Only
   * ever drained: dequeue moves its entries to their workflows' queues.
   */
  readonly legacyReady: string
  /**
   * ZSET executionId → (9 − priority) · 2^42 + scheduledForMs: one workflow's ready executions, best first
   * (scripts/includes/execution.lua has the whole fair-turns layout).
   */
  workflowReady(workflowId: string): string
  /** ZSET workflowId → its best ready score: a tenant's workflows with ready work under their cap. */
  tenantHeads(tenant: string): string
  /** ZSET tenant → turn number: the tenants with claimable work, served lowest first. */
  readonly turns: string
  /** HASH ready / delayed / running → a tenant's own queue depths (running = slots its leases hold). */
  tenantCounts(tenant: string): string
  /** HASH ready → executions ready over every tenant. */
  readonly counts: string
  /** HASH workflowId → slots its running leases hold. */
  readonly workflowRunning: string
  /** HASH workflowId → maxConcurrency (workflows with a cap only). */
  readonly workflowCaps: string
  /** HASH workflowId → version of the workflow row its cap was written from. */
  readonly workflowCapVersions: string
  /** ZSET executionId → available-at ms: retries in backoff, look-ahead and jittered fires not yet due. */
  readonly delayed: string
  /** ZSET executionId → lease expiry ms: executions a worker has claimed (owner in the execution's hash). */
  readonly running: string
  /** Prefix of `execution(id)`; Lua scripts append an execution id to it. */
  readonly executionPrefix: string
  /** HASH per queued execution: its payload (priority, scheduledForMs, attempt, …) and lease owner. */
  execution(executionId: string): string
  /** Prefix of every rate-limit counter below (a STRING per window owner, rate-limit-incr-1.lua). */
  readonly rateLimit: string
  /** Counter of the /api/* limit of one tenant (or, before authentication, one client address). */
  rateLimitTenant(tenantOrAddress: string): string
  /** Counter of the failed authentications of one client address (an IPv6 one by its /56). */
  rateLimitUnauth(address: string): string
  /** Counter of the deliveries of one webhook trigger (its rateLimitPerMinute). */
  rateLimitHook(triggerId: string): string
  /** Pub/sub channel: execution ids whose cancel was requested while running (the owner aborts its step). */
  readonly cancelChannel: string
  /** Pub/sub: published when an enqueue put work in `ready`, so idle runners claim at once. */
  readonly readyChannel: string
  /** HASH workerId → JSON heartbeat (`GET /api/workers`); entries older than a few beats are dead. */
  readonly workers: string
  /**
   * STREAM of system events (execution.succeeded, execution.dead, schedule.completed), read by the workers
   * through one consumer group; an entry is deleted once handled (event-stream.ts).
   */
  readonly events: string
}

export interface ConflictKeys {
  /** ZSET of dense schedules (score 0, member id). */
  readonly dense: string
  /** ZSET of hourly schedules, score 0, members `<minute of hour 2 digits>:<scheduleId>`. */
  readonly hourly: string
  /** ZSET of other schedules, score 0, members `<UTC minute of day 4 digits>:<scheduleId>`. */
  readonly minutes: string
  /** ZSET of frequent schedules (an other profile of over 96 minutes): member id, score its bitmap slot. */
  readonly frequent: string
  /**
   * Followed by a UTC minute of the day (`…fb:<wf>:540`): the STRING bitmap of that minute, bit `<slot>` set
   * when that frequent schedule fires then.
   */
  readonly frequentMinutePrefix: string
  /** ZSET of the slots frequent schedules gave back (score = member = slot). */
  readonly frequentFreeSlots: string
  /** HASH `H`/`M`/`F` → number of hourly / other / frequent schedules; `FN` → frequent slots handed out. */
  readonly counts: string
  /** The per-minute ZSET of the index before conflict classes (only ever emptied). */
  readonly legacyMinutes: string
}

/**
 * The rule of a key prefix (REDIS_PREFIX), as a JSON-schema pattern: the API's and the worker's configuration
 * check it at boot (core baseConfigFields) and createKeys refuses anything else. No braces (they would end the
 * hash tag early), no glob characters (they would widen scanPattern), at most 64 characters.
 */
export const REDIS_PREFIX_PATTERN = '^[A-Za-z0-9_.-]{1,64}$'
const PREFIX_PATTERN = new RegExp(REDIS_PREFIX_PATTERN)

export function createKeys(prefix = 'punctual'): QueueKeys {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new TypeError(`Invalid Redis key prefix ${JSON.stringify(prefix)}: use 1-64 of [A-Za-z0-9_.-]`)
  }
  const tag = `{${prefix}}`
  const key = (...parts: string[]) => [tag, ...parts].join(':')
  const conflictPrefix = key('cfx', '')
  const legacyMinutesPrefix = key('workflow-minutes', '')
  const executionPrefix = key('exec', '')
  const rateLimit = key('rl', '')
  const base = `${tag}:`
  const nonEmpty = (what: string, value: string) => {
    if (value.length === 0) throw new TypeError(`${what} must not be empty`)
    return value
  }
  return Object.freeze({
    prefix,
    tag,
    scanPattern: `${tag}*`,
    due: key('due'),
    dueVersion: key('due-version'),
    scheduleMinutes: key('schedule-minutes'),
    conflictPrefix,
    conflictKeys(workflowId: string): ConflictKeys {
      if (workflowId.length === 0) throw new TypeError('workflowId must not be empty')
      return {
        dense: `${conflictPrefix}d:${workflowId}`,
        hourly: `${conflictPrefix}h:${workflowId}`,
        minutes: `${conflictPrefix}m:${workflowId}`,
        frequent: `${conflictPrefix}f:${workflowId}`,
        frequentMinutePrefix: `${conflictPrefix}fb:${workflowId}:`,
        frequentFreeSlots: `${conflictPrefix}ff:${workflowId}`,
        counts: `${conflictPrefix}n:${workflowId}`,
        legacyMinutes: legacyMinutesPrefix + workflowId,
      }
    },
    dueClaims: key('due-claims'),
    dueClaimInfo: key('due-claim-info'),
    base,
    legacyReady: key('ready'),
    workflowReady: (workflowId: string) => `${base}rq:${nonEmpty('workflowId', workflowId)}`,
    tenantHeads: (tenant: string) => `${base}heads:${nonEmpty('tenant', tenant)}`,
    turns: key('turns'),
    tenantCounts: (tenant: string) => `${base}tenant:${nonEmpty('tenant', tenant)}`,
    counts: key('counts'),
    workflowRunning: key('wf-running'),
    workflowCaps: key('wf-cap'),
    workflowCapVersions: key('wf-cap-version'),
    delayed: key('delayed'),
    running: key('running'),
    executionPrefix,
    execution(executionId: string) {
      if (executionId.length === 0) throw new TypeError('executionId must not be empty')
      return executionPrefix + executionId
    },
    rateLimit,
    rateLimitTenant: (tenantOrAddress: string) => `${rateLimit}tenant:${tenantOrAddress}`,
    rateLimitUnauth: (address: string) => `${rateLimit}unauth:${address}`,
    rateLimitHook: (triggerId: string) => `${rateLimit}hook:${triggerId}`,
    cancelChannel: key('cancel'),
    readyChannel: key('ready-signal'),
    workers: key('workers'),
    events: key('events'),
  })
}
