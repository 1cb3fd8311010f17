/** Dates, durations and zones as people read them. */

export function fmtTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    ...(timeZone && { timeZoneName: 'short' }),
  }).format(d)
}

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 ** 2).toFixed(1)} MiB`
}

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatters.get(key)
  if (!f) {
    f = make()
    formatters.set(key, f)
  }
  return f
}

/** The UTC offset of `timeZone` at `at`, in minutes. */
export function offsetMinutes(at: Date, timeZone: string): number {
  const name =
    formatter(
      `offset ${timeZone}`,
      () => new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }),
    )
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name)
  if (!m) return 0
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0))
}

/**
 * Whether the local calendar day of `at` in `timeZone` has a daylight-saving (or other offset) transition:
 * the offsets at the day's first and last moments differ.
 */
export function isTransitionDay(at: Date, timeZone: string): boolean {
  const parts = formatter(
    `clock ${timeZone}`,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        hourCycle: 'h23',
      }),
  ).formatToParts(at)
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0)
  const intoDay = ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000
  const start = new Date(at.getTime() - intoDay - 3 * 3_600_000)
  const end = new Date(at.getTime() - intoDay + 27 * 3_600_000)
  // The window reaches 3 h either side of the day so a shifted midnight still falls inside; compare the
  // offsets at the local day's start and end, found by scanning hours (transitions are at most 2 a day).
  let startOffset: number | null = null
  let endOffset: number | null = null
  const day = localDay(at, timeZone)
  for (let t = start.getTime(); t <= end.getTime(); t += 900_000) {
    const d = new Date(t)
    if (localDay(d, timeZone) !== day) continue
    const o = offsetMinutes(d, timeZone)
    if (startOffset === null) startOffset = o
    endOffset = o
    if (startOffset !== endOffset) return true
  }
  return false
}

function localDay(at: Date, timeZone: string): string {
  return formatter(
    `day ${timeZone}`,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).format(at)
}

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(-8) : '—'
}
