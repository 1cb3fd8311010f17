/**
 * A fire's jitter: a stable pseudo-random delay in [0, jitterMs] derived from (scheduleId, scheduledFor),
 * so every scheduler process, a crashed claimer's successor and the reconciler all compute the same
 * start time for the same fire. `scheduledFor` stays the nominal time; only the start is delayed.
 *
 * The hash is cyrb53 (public domain, bryc): two 32-bit multiply-xorshift lanes folded into 53 bits. It is
 * fast, not cryptographic, and its top bits are uniform enough to scale to a range of up to 2^32 ms.
 */

function cyrb53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed
  let h2 = 0x41c6ce57 ^ seed
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (2097151 & h2) + (h1 >>> 0)
}

const TWO_POW_53 = 2 ** 53

/** A whole number of ms in [0, jitterMs]; 0 when jitterMs is 0 (or not positive). */
export function stableJitterMs(scheduleId: string, scheduledFor: Date, jitterMs: number): number {
  const t = scheduledFor.getTime()
  if (!Number.isFinite(t)) throw new RangeError('scheduledFor is not a valid date')
  const range = Math.floor(jitterMs)
  if (!(range > 0)) return 0
  const u = cyrb53(`${scheduleId}|${t}`) / TWO_POW_53
  return Math.floor(u * (range + 1))
}
