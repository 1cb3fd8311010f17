import os from 'node:os'
import { fireMinutesOfDay, nextRuns, validate } from '@punctual/core'
import { Cron } from 'croner'
import type { BenchSection } from './report.ts'

/**
 * The cron engine against plain croner 11 (the library it corrects), in the same process and run.
 * - nextRuns(count 1) vs `new Cron(expr, { timezone }).nextRun(from)`: what a caller without our cache
 *   pays for one DST-aware next run.
 * - validate vs `new Cron(expr, { timezone })`: croner's own syntax check. Ours also checks the zone and
 *   "fires within 10 years", so it does strictly more. Measured cold (a new expression string every
 *   call, so our parse cache misses and croner patterns are built again) and warm (the same string, the
 *   API re-validating a stored schedule).
 */

const EXPRESSIONS = ['*/5 * * * *', '0 9 * * 1-5', '0 0 L * *', '30 2 * * *']
const ZONES = ['UTC', 'America/New_York']
const TARGET = 1.5
const CELL_MS = 400

/** 64 `from` instants spread over a year (DST days included), the same for both sides. */
const FROMS = Array.from(
  { length: 64 },
  (_, i) => new Date(Date.UTC(2025, 0, 1) + i * 5.7 * 86_400_000 + i * 61_013),
)

/**
 * The same expression with different blanks: 6^4 = 1296 strings, more than our parse cache holds, so
 * cycling through them makes every call a cache miss. croner gets the same strings.
 */
function blankVariants(expression: string): string[] {
  const blanks = [' ', '  ', '\t', ' \t', '\t ', '   ']
  const fields = expression.split(' ')
  const out: string[] = []
  for (let i = 0; i < blanks.length ** (fields.length - 1); i++) {
    let s = fields[0]!
    for (let f = 1, k = i; f < fields.length; f++, k = Math.floor(k / blanks.length)) {
      s += blanks[k % blanks.length]! + fields[f]!
    }
    out.push(s)
  }
  return out
}

/** ns per call of `fn` over `ms` of batches. */
function round(fn: (i: number) => unknown, ms: number): number {
  let calls = 0
  let sink = 0
  const started = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let j = 0; j < 50; j++) if (fn(calls + j)) sink++
    calls += 50
    elapsed = performance.now() - started
  }
  if (sink < 0) console.log(sink)
  return (elapsed * 1e6) / calls
}

const ROUNDS = 7

/**
 * Ours and the peer in alternating rounds after a warm-up of both, so that load from other processes
 * on the machine hits both sides alike; the median round of each, in ns per call.
 */
function measurePair(ours: (i: number) => unknown, peer: (i: number) => unknown): [number, number] {
  round(ours, CELL_MS / 4)
  round(peer, CELL_MS / 4)
  const a: number[] = []
  const b: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    a.push(round(ours, CELL_MS / ROUNDS))
    b.push(round(peer, CELL_MS / ROUNDS))
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
  return [median(a), median(b)]
}

const fmt = (ns: number) => Math.round(ns).toLocaleString('en-US')

export async function run(): Promise<BenchSection> {
  const rows: (string | number)[][] = []
  const misses: string[] = []
  let worst = 0
  const check = (label: string, ours: number, peer: number) => {
    const ratio = ours / peer
    worst = Math.max(worst, ratio)
    if (ratio > TARGET) misses.push(`${label}: ${ratio.toFixed(2)}×`)
    return ratio.toFixed(2)
  }

  for (const zone of ZONES) {
    for (const expression of EXPRESSIONS) {
      const [ours, croner] = measurePair(
        (i) => nextRuns(expression, { timezone: zone, from: FROMS[i & 63]!, count: 1 })[0],
        (i) => new Cron(expression, { timezone: zone }).nextRun(FROMS[i & 63]!),
      )
      rows.push([
        `\`${expression}\``,
        zone,
        'nextRuns (count 1)',
        fmt(ours),
        fmt(croner),
        check(`nextRuns ${expression} ${zone}`, ours, croner),
      ])
    }
  }
  for (const zone of ZONES) {
    for (const expression of EXPRESSIONS) {
      const variants = blankVariants(expression)
      const n = variants.length
      const now = FROMS[7]!
      const construct = (i: number) => new Cron(variants[i % n]!, { timezone: zone })
      const [cold, croner] = measurePair(
        (i) => validate(variants[i % n]!, { timezone: zone, now }).ok,
        construct,
      )
      rows.push([
        `\`${expression}\``,
        zone,
        'validate (cold)',
        fmt(cold),
        fmt(croner),
        check(`validate cold ${expression} ${zone}`, cold, croner),
      ])
      const [warm, croner2] = measurePair(() => validate(expression, { timezone: zone, now }).ok, construct)
      rows.push([
        `\`${expression}\``,
        zone,
        'validate (warm)',
        fmt(warm),
        fmt(croner2),
        check(`validate warm ${expression} ${zone}`, warm, croner2),
      ])
      // Informative: croner giving the same guarantees (zone resolved, a next run exists).
      const [cold2, full] = measurePair(
        (i) => validate(variants[i % n]!, { timezone: zone, now }).ok,
        (i) => new Cron(variants[i % n]!, { timezone: zone }).nextRun(now),
      )
      rows.push([
        `\`${expression}\``,
        zone,
        'validate (cold) vs croner construct + nextRun',
        fmt(cold2),
        fmt(full),
        (cold2 / full).toFixed(2),
      ])
    }
  }

  const fireRows: string[] = []
  let fireWorst = 0
  for (const expression of ['* * * * *', '*/5 * * * *', '* * * * * *']) {
    round(
      (i) => fireMinutesOfDay(expression, { timezone: 'America/New_York', from: FROMS[i & 63]! }),
      CELL_MS / 4,
    )
    const ns = round(
      (i) => fireMinutesOfDay(expression, { timezone: 'America/New_York', from: FROMS[i & 63]! }),
      CELL_MS,
    )
    fireWorst = Math.max(fireWorst, ns)
    rows.push([`\`${expression}\``, 'America/New_York', 'fireMinutesOfDay (24 h)', fmt(ns), '—', '—'])
    fireRows.push(`${expression} ${(ns / 1000).toFixed(1)} µs`)
  }

  return {
    id: 'cron',
    title: 'Cron engine vs croner 11',
    method: [
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; one process; other engineers' test runs share the 2 cores, so absolute numbers wander.`,
      `Each cell: ${CELL_MS / 4} ms warm-up of each side, then ${ROUNDS} alternating rounds of ${Math.round(CELL_MS / ROUNDS)} ms per side; the median round's ns per call (alternation makes outside load hit both sides alike).`,
      '`from` cycles through 64 instants spread over 2025 (DST days included), the same for both sides.',
      'nextRuns peer: `new Cron(expr, { timezone }).nextRun(from)`; ours is `nextRuns(expr, { timezone, from, count: 1 })` with its caches warm (as on the worker hot path).',
      'validate peer (the target): `new Cron(expr, { timezone })`, croner parsing and building its pattern, which checks neither the zone nor that the schedule ever fires. Ours parses, checks the zone and that it fires within 10 years (proved from the pattern when it fires at least monthly, else by search). Cold: a new string every call (1,296 blank variants of the expression, more than our caches hold), the same strings for both sides; warm: the same string again (re-validating a stored schedule).',
      'Informative row: croner with the same guarantees as our validate, `new Cron(expr, { timezone }).nextRun(now)` (resolves the zone, finds a run).',
    ],
    headers: ['expression', 'zone', 'operation', 'ours ns/op', 'croner ns/op', 'ratio'],
    rows,
    verdict: [
      misses.length === 0
        ? `Target met: every nextRuns and validate cell is at most ${TARGET}× croner (worst ${worst.toFixed(2)}×).`
        : `Target NOT met (${TARGET}× croner) for: ${misses.join(', ')}.`,
      `fireMinutesOfDay target (<= 300 µs) ${fireWorst <= 300_000 ? 'met' : 'NOT met'}: ${fireRows.join(', ')}.`,
    ],
  }
}
