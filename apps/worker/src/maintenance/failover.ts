import { Cluster, type QueueKeys, type Redis, reclaimExpiredClaims } from '@punctual/queue'
import type { Logger } from 'pino'
import { errorMessage } from '../loop/index.ts'

/** After a failover signal: retry a failed pass this often, this many times (then the periodic pass takes over). */
const FAILOVER_RETRY_MS = 1000
const FAILOVER_ATTEMPTS = 60

/**
 * Tells the maintenance loop that the Redis server holding this deployment's keys may have changed, so a
 * reconcile runs at once: Redis replicates asynchronously, and writes the old primary acknowledged may be
 * missing on the new one (Postgres, the source of truth, repairs them). ioredis reconnects by itself; the
 * signals, chosen because they fire on every path to a new primary and cost nothing otherwise:
 * - one server or Sentinel (ioredis `Redis`): every `ready` after the first. A Sentinel switch makes the
 *   client drop its connection (failoverDetector on `+switch-master`, or the old primary's socket failing, or a
 *   READONLY reply) and reconnect to the primary the sentinels name, which ends in `ready`; a single server
 *   restarted (maybe empty) ends the same way. A plain network blip also counts: one extra paced pass.
 * - Redis Cluster: the master of the deployment's hash slot (`CLUSTER KEYSLOT {prefix}`) differs from the last
 *   one seen, checked on ioredis's `refresh` (slots re-read: after a MOVED, a lost node, or every 5 s),
 *   `+node`/`-node`; and every `ready` after the first (the whole cluster client reconnected). A failover
 *   elsewhere in the cluster, which does not move this slot, triggers nothing.
 * Returns a function that detaches the listeners.
 */
export function watchFailover(
  redis: Redis,
  keys: QueueKeys,
  onFailover: (reason: string) => void,
): () => void {
  return redis instanceof Cluster ? watchCluster(redis, keys, onFailover) : watchReconnects(redis, onFailover)
}

function watchReconnects(redis: Redis, onFailover: (reason: string) => void): () => void {
  let seenReady = redis.status === 'ready'
  const onReady = () => {
    if (seenReady) onFailover('redis reconnected')
    seenReady = true
  }
  redis.on('ready', onReady)
  return () => {
    redis.off('ready', onReady)
  }
}

function watchCluster(cluster: Cluster, keys: QueueKeys, onFailover: (reason: string) => void): () => void {
  let slot: number | undefined
  let master: string | undefined
  let detached = false
  const check = () => {
    if (slot === undefined || detached) return
    const now = cluster.slots[slot]?.[0]
    if (now === undefined) return
    if (master !== undefined && now !== master) onFailover(`slot ${slot} moved from ${master} to ${now}`)
    master = now
  }
  const learnSlot = () => {
    if (slot !== undefined || detached) return
    cluster.cluster('KEYSLOT', keys.tag).then(
      (reply) => {
        slot = Number(reply)
        check()
      },
      () => {}, // not ready yet: asked again on the next event
    )
  }
  const onChange = () => {
    learnSlot()
    check()
  }
  // The whole client reconnected (every node was lost): the servers may have restarted empty.
  let seenReady = cluster.status === 'ready'
  const onReady = () => {
    if (seenReady && !detached) onFailover('redis cluster reconnected')
    seenReady = true
    onChange()
  }
  const events = ['refresh', '+node', '-node'] as const
  for (const e of events) cluster.on(e, onChange)
  cluster.on('ready', onReady)
  if (cluster.status === 'ready') learnSlot()
  return () => {
    detached = true
    for (const e of events) cluster.off(e, onChange)
    cluster.off('ready', onReady)
  }
}

/**
 * Ends the fire claims taken before a failover signal at `signalAt` (their lease expires by signalAt +
 * claimLeaseMs): each returns to the due-index at its original score, as when a lease lapses. Their owner's
 * completeClaim may have been acknowledged by the old primary and lost with it, which would leave the entry
 * claimed — and the schedule silent — until the lease ran out (seen in e2e/redis-cluster.test.ts: 5 schedules
 * of one claim batch quiet for 30 s). A claim still being worked on is safe to end too: the fire is recorded
 * once in Postgres whichever scheduler records it (unique per schedule and time), and its owner's completion
 * then finds no claim and changes nothing.
 */
export async function endClaimsTakenBefore(
  redis: Redis,
  keys: QueueKeys,
  signalAt: number,
  claimLeaseMs: number,
): Promise<number> {
  const batch = 1000
  let ended = 0
  for (;;) {
    const { restored, dropped } = await reclaimExpiredClaims(redis, keys, signalAt + claimLeaseMs, batch)
    ended += restored + dropped
    if (restored + dropped < batch) return ended
  }
}

export interface FailoverRepairDeps {
  redis: Redis
  keys: QueueKeys
  logger: Logger
  claimLeaseMs: number
  now: () => number
  /** One reconcile pass; false when it failed or one was already under way. */
  reconcile: () => Promise<boolean>
  going: () => boolean
}

/**
 * What a failover signal (watchFailover) starts: the claims taken before it are ended (endClaimsTakenBefore),
 * then a whole reconcile pass that STARTS after the signal runs, retried every second until one succeeds (the
 * new primary may refuse writes for a moment: CLUSTERDOWN, LOADING). A pass under way when the signal came
 * may have read the old primary, so it does not count. A signal during a repair runs one more after it.
 */
export function createFailoverRepair(deps: FailoverRepairDeps): (reason: string) => void {
  let repairing = false
  let again: number | undefined
  async function repair(signalAt: number) {
    for (let attempt = 0; deps.going() && attempt < FAILOVER_ATTEMPTS; attempt++) {
      try {
        const ended = await endClaimsTakenBefore(deps.redis, deps.keys, signalAt, deps.claimLeaseMs)
        if (ended > 0) deps.logger.info({ ended }, 'fire claims taken before the failover ended')
        if (await deps.reconcile()) return
      } catch (err) {
        deps.logger.warn({ err: errorMessage(err) }, 'ending claims after a failover failed; will retry')
      }
      await new Promise((r) => setTimeout(r, FAILOVER_RETRY_MS).unref())
    }
  }
  return (reason) => {
    deps.logger.warn({ reason }, 'redis failover or reconnect: reconciling from Postgres now')
    const signalAt = deps.now()
    if (repairing) {
      again = signalAt
      return
    }
    repairing = true
    void (async () => {
      for (let at: number | undefined = signalAt; at !== undefined; ) {
        again = undefined
        await repair(at)
        at = again
      }
    })().finally(() => {
      repairing = false
    })
  }
}
