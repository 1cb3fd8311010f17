import type { ExecutionKind } from '@punctual/core'
import type { WorkflowSlots } from './execution-reads.ts'
import type { QueueKeys } from './keys.ts'
import type { QueueScripts } from './script-loader.ts'

/** The execution queue's contract (execution-queue.ts describes the Redis side): limits, inputs, results. */

/** ms per priority step of the ready score: 2^42 ms ≈ 139 years, so scheduledForMs must be below it. */
export const PRIORITY_STEP_MS = 2 ** 42
export const MAX_PRIORITY = 9
/** Upper bound of items per script call (each call is atomic and blocks Redis while it runs). */
export const MAX_BATCH = 1000
/** Largest `meta` kept with an execution, in UTF-16 code units of its JSON. */
export const MAX_META_CHARS = 4096
/** Default bound of the executions one dequeue (or promoteDue, reclaimExpired) moves between sets. */
export const DEFAULT_MAX_MOVES = 1000

export type QueueState = 'ready' | 'delayed' | 'running'

export interface EnqueueItem {
  id: string
  /** 0-9, higher runs first. */
  priority: number
  /** The nominal time (ms): orders executions of equal priority. */
  scheduledForMs: number
  /** Not before this time (ms): a later time parks the execution in `delayed`. */
  availableAtMs?: number
  /** 0 before the first attempt, then the attempt the next run will be. */
  attempt: number
  tenant: string
  workflowId: string
  kind: ExecutionKind
  scheduleId?: string | null
  /** Small JSON-serialisable extras a worker wants before reading Postgres (at most MAX_META_CHARS). */
  meta?: Record<string, unknown>
}

export interface QueuedExecution {
  id: string
  priority: number
  scheduledForMs: number
  attempt: number
  tenant: string
  workflowId: string
  kind: ExecutionKind
  scheduleId: string | null
  meta: Record<string, unknown> | null
  enqueuedAtMs: number
  /** How many times a worker claimed it (dequeue); the current lease's number while running. */
  claim: number
  /** How many times an expired lease sent it back to ready. */
  reclaims: number
  /** The lease holder while running, else null. */
  owner: string | null
}

export interface ClaimedExecution extends QueuedExecution {
  owner: string
  leaseExpiresAtMs: number
}

export interface ExecutionSnapshot extends QueuedExecution {
  state: QueueState
  /** ready: the ready score; delayed: available-at ms; running: lease expiry ms. */
  score: number
}

/**
 * Which lease an operation is about: an id (any lease of this worker), or an id and the claim number the
 * dequeue returned (tells apart two claims of the same execution by the same worker).
 */
export type LeaseRef = string | { id: string; claim: number }

export type LeaseOutcome = 'ok' | 'lease-lost' | 'not-found'

export interface EnqueueResult {
  /** Per item, in order: where it went, or where it already was. */
  results: { id: string; enqueued: boolean; state: QueueState }[]
  enqueued: number
  alreadyQueued: number
}

export interface DequeueInput {
  workerId: string
  /** 0..MAX_BATCH; 0 only reclaims and promotes. */
  count: number
  leaseMs: number
  now: number
  /** Bounds the expired leases moved back to ready first (default 1000). */
  maxReclaim?: number
  /** Bounds the due delayed executions promoted first (default 1000). */
  maxPromote?: number
  /** Slots per tenant across every worker (TENANT_MAX_RUNNING); 0 or absent: no cap. */
  tenantMaxRunning?: number
  /** Bounds the tenants and workflows held back by a cap that one dequeue passes over (default 1000). */
  maxSkips?: number
}

export interface DequeueResult {
  items: ClaimedExecution[]
  reclaimed: number
  promoted: number
  /**
   * Fewer than `count` claimed and nothing left ready: when the earliest delayed execution becomes available
   * (epoch ms), so an idle claimer sleeps until then rather than polling; null when nothing is delayed.
   */
  nextAvailableAtMs: number | null
}

export interface RenewResult {
  renewed: string[]
  /** Leases this worker no longer holds: stop the work (it runs, or will run, elsewhere). */
  lost: string[]
  leaseExpiresAtMs: number
}

export type AckResult = { ok: true } | { ok: false; reason: 'lease-lost' | 'not-found' }

export type CancelResult =
  | { outcome: 'cancelled'; state: 'ready' | 'delayed' }
  /** Still running: the caller aborts it through its owner; the owner then acks it. */
  | { outcome: 'running'; owner: string }
  | { outcome: 'not-found' }

export interface QueueStats {
  ready: number
  delayed: number
  running: number
  /** Schedules in the due-index waiting for their next fire (claimed ones excluded). */
  dueSchedules: number
  /** Schedules a scheduler has claimed and is firing. */
  claimedSchedules: number
}

export interface QueueStatsAt extends QueueStats {
  /** Delayed executions available by `now` (promoted at the next dequeue). */
  delayedDue: number
  /** Running executions whose lease expired by `now` (reclaimed at the next dequeue). */
  expiredLeases: number
  /** Due entries whose fire time passed and that nobody has claimed. */
  overdueSchedules: number
  /** Fire claims whose lease expired by `now`. */
  expiredClaims: number
}

/** One tenant's own queue depths, read without touching other tenants' entries. */
export interface TenantQueueDepths {
  ready: number
  /** Waiting for a later attempt or a later fire time (retries in backoff, fires recorded ahead). */
  delayed: number
  /** Leased to a worker (claimed ahead included): the slots the tenant holds. */
  running: number
}

export interface WorkflowCapInput {
  workflowId: string
  tenant: string
  /** The workflow row's version; Redis ignores the write when it holds a higher one. */
  version: number
  /** Executions of the workflow running at once, across every worker; null: no cap. */
  maxConcurrency: number | null
  /** Write whatever version Redis holds (the reconciler, after reading Postgres). */
  force?: boolean
}

export interface ExecutionQueue {
  enqueue(items: readonly EnqueueItem[], now: number): Promise<EnqueueResult>
  dequeue(input: DequeueInput): Promise<DequeueResult>
  renew(input: {
    workerId: string
    ids: readonly LeaseRef[]
    leaseMs: number
    now: number
  }): Promise<RenewResult>
  ack(input: { workerId: string; id: string; claim?: number }): Promise<AckResult>
  /** Batch ack: one result per ref, in order. */
  ackMany(input: { workerId: string; ids: readonly LeaseRef[] }): Promise<AckResult[]>
  retryLater(input: {
    workerId: string
    id: string
    claim?: number
    availableAtMs: number
    attempt: number
  }): Promise<AckResult>
  /** Graceful shutdown: running → ready at once. Returns the ids released and those no longer ours. */
  release(input: {
    workerId: string
    ids: readonly LeaseRef[]
  }): Promise<{ released: string[]; lost: string[] }>
  cancel(id: string): Promise<CancelResult>
  remove(id: string): Promise<{ removed: boolean; state: QueueState | null }>
  setPriority(id: string, priority: number): Promise<{ state: QueueState } | null>
  get(id: string): Promise<ExecutionSnapshot | null>
  promoteDue(now: number, max?: number): Promise<string[]>
  reclaimExpired(now: number, max?: number): Promise<string[]>
  /** Executions held (ready + delayed + running). */
  size(): Promise<number>
  stats(): Promise<QueueStats>
  stats(now: number): Promise<QueueStatsAt>
  /** One tenant's ready, delayed and running counts. */
  tenantDepths(tenant: string): Promise<TenantQueueDepths>
  /** The caps and held slots of these workflows (what holds their ready executions back). */
  workflowSlots(workflowIds: readonly string[]): Promise<Map<string, WorkflowSlots>>
  /** Writes a workflow's maxConcurrency (versioned, see set-workflow-cap-3.lua). */
  setWorkflowCap(input: WorkflowCapInput): Promise<{ applied: boolean; version: number }>
  /** Forgets a deleted workflow's cap. */
  removeWorkflowCap(workflowId: string): Promise<void>
}

/** What every operation of one queue needs: the client's scripts and the keyspace (createExecutionQueue). */
export interface QueueContext {
  scripts: () => QueueScripts
  keys: QueueKeys
  /** keys.base: what the scripts build the `exec:<id>` hashes and per-tenant keys from. */
  base: string
  /** delayed, running, legacyReady: the keys of the scripts that find an execution wherever it is. */
  stateKeys: string[]
}
