/**
 * A schedule's fire-minute profile in the form the conflict index stores it (see docs/design-notes.md,
 * "Conflict index"). Two schedules of one workflow conflict when they fire within one minute of each other
 * (circular over the UTC day). Three shapes keep the index small and every lookup bounded:
 *
 * - `D` dense: every minute of the day is within one minute of a fire (per-second, per-minute, `*\/3`, ...).
 *   Such a schedule conflicts with every schedule that fires at all, so the index only counts it.
 * - `H<q,...>` hourly: the same minutes of the hour in all 24 hours (`17 * * * *`, `*\/15 * * * *`):
 *   one entry per minute of the hour instead of one per minute of the day.
 * - `M<m,...>` minutes: anything else (daily, business hours, ...) with at most CONFLICT_FREQUENT_MINUTES
 *   minutes: one entry per UTC minute of the day.
 * - `F<m,...>` frequent: the same, with more minutes than that (`*\/2 9-17 * * *`): one bit per UTC minute of
 *   the day in per-minute bitmaps, so a lookup counts these schedules with one BITOP however often each fires,
 *   and the entries it reads one by one (H and M) are at most CONFLICT_FREQUENT_MINUTES per schedule.
 * - `''`: no fire in the next 24 h (paused, completed, expired, not started): not indexed.
 */
export type ConflictProfile = string

const MINUTES_PER_DAY = 1440
/**
 * An `M` profile has at most this many minutes; more make it `F`. The conflict scan reads entries one by one
 * only for `H` (at most 60 per schedule) and `M` schedules, so it finds more than 100 schedules (the exact
 * bound, CONFLICT_EXACT_UP_TO in the queue package) within 101 × 96 = 9,696 entries, under its budget.
 */
export const CONFLICT_FREQUENT_MINUTES = 96
const HOURS = 24

/** The profile of a set of UTC minutes of day (0..1439), e.g. from fireMinutesOfDay. */
export function conflictProfile(minutes: readonly number[]): ConflictProfile {
  if (minutes.length === 0) return ''
  const flags = new Uint8Array(MINUTES_PER_DAY)
  for (const m of minutes) {
    if (!Number.isInteger(m) || m < 0 || m >= MINUTES_PER_DAY)
      throw new RangeError(`minute ${m} is not in 0..1439`)
    flags[m] = 1
  }
  if (coversDay(flags)) return 'D'
  const ofHour: number[] = []
  for (let q = 0; q < 60; q++) if (flags[q]) ofHour.push(q)
  if (ofHour.length * HOURS === countFlags(flags) && everyHourHas(flags, ofHour))
    return `H${ofHour.join(',')}`
  const sorted: number[] = []
  for (let m = 0; m < MINUTES_PER_DAY; m++) if (flags[m]) sorted.push(m)
  return `${sorted.length > CONFLICT_FREQUENT_MINUTES ? 'F' : 'M'}${sorted.join(',')}`
}

function coversDay(flags: Uint8Array): boolean {
  for (let m = 0; m < MINUTES_PER_DAY; m++) {
    if (flags[m] || flags[(m + 1) % MINUTES_PER_DAY] || flags[(m + MINUTES_PER_DAY - 1) % MINUTES_PER_DAY])
      continue
    return false
  }
  return true
}

function countFlags(flags: Uint8Array): number {
  let n = 0
  for (const f of flags) n += f
  return n
}

function everyHourHas(flags: Uint8Array, ofHour: readonly number[]): boolean {
  for (let h = 1; h < HOURS; h++) for (const q of ofHour) if (!flags[h * 60 + q]) return false
  return true
}

const PROFILE_PATTERN = /^(|D|H(\d{1,2})(,\d{1,2})*|[MF](\d{1,4})(,\d{1,4})*)$/

/** True when `profile` is well-formed: values ascending, distinct and in range, `M` and `F` by their size. */
export function isConflictProfile(profile: string): boolean {
  if (!PROFILE_PATTERN.test(profile)) return false
  if (profile.length <= 1) return true
  const limit = profile[0] === 'H' ? 60 : MINUTES_PER_DAY
  const parts = profile.slice(1).split(',')
  if (profile[0] === 'M' && parts.length > CONFLICT_FREQUENT_MINUTES) return false
  if (profile[0] === 'F' && parts.length <= CONFLICT_FREQUENT_MINUTES) return false
  let last = -1
  for (const part of parts) {
    const v = Number(part)
    if (v <= last || v >= limit) return false
    last = v
  }
  return true
}
