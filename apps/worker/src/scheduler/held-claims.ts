import type { DueClaim } from '@punctual/queue'

/** A claim being worked on in a round: taken from the due-index now, or kept from an earlier round. */
export interface Work {
  claim: DueClaim
  /** When the claim (and its lease) was taken. */
  claimedAt: number
  attempts: number
}

/** A claim this scheduler keeps across rounds: its fire's time has not come yet, or its row is not visible. */
interface HeldClaim extends Work {
  retryAt: number
}

/**
 * The claims one scheduler keeps across rounds, by schedule. A claim is kept at most half its lease: the
 * lease is the crash guard (once it lapses the entry is back in the due-index for any scheduler).
 */
export function createHeldClaims(claimLeaseMs: number) {
  const held = new Map<string, HeldClaim>()
  return {
    get size(): number {
      return held.size
    },
    /** Whether a claim may be kept until `until`: never past half its lease (the lease is the crash guard). */
    canHoldUntil(work: Work, until: number): boolean {
      return until - work.claimedAt < claimLeaseMs / 2
    },
    hold(work: Work, retryAt: number): void {
      held.set(work.claim.scheduleId, {
        claim: work.claim,
        claimedAt: work.claimedAt,
        retryAt,
        attempts: work.attempts + 1,
      })
    },
    /** A round's work: the claims just taken from the due-index, then the held ones whose time came. */
    takeDue(claims: readonly DueClaim[], now: number): Work[] {
      const work: Work[] = claims.map((claim) => ({ claim, claimedAt: now, attempts: 0 }))
      const fresh = new Set(claims.map((c) => c.scheduleId))
      for (const [id, h] of held) {
        // Claimed again (ours lapsed): the new claim replaces the held one.
        if (fresh.has(id)) held.delete(id)
        else if (h.retryAt <= now) {
          held.delete(id)
          // Past its lease the entry is back in the due-index (or claimed by someone else): let go quietly.
          if (now - h.claimedAt < claimLeaseMs) work.push(h)
        }
      }
      return work
    },
    /** ms until a held claim is due, capped at `max`. */
    nextWakeIn(now: number, max: number): number {
      let wake = max
      for (const h of held.values()) wake = Math.min(wake, Math.max(0, h.retryAt - now))
      return wake
    },
    /** Every held claim, forgotten here (at stop they are handed back at once). */
    takeAll(): Work[] {
      const claims = [...held.values()]
      held.clear()
      return claims
    },
  }
}
export type HeldClaims = ReturnType<typeof createHeldClaims>
