/** One section of docs/benchmarks.md: a titled results table produced by one benchmark. */
export interface BenchSection {
  id: string
  title: string
  /** How it was measured (machine, load, what counts). */
  method: string[]
  headers: string[]
  rows: (string | number)[][]
  /** Further tables of the same section, each under its own heading (and method lines), after the first. */
  tables?: BenchTable[]
  /** Targets and whether they were met, ratios against the peer. */
  verdict: string[]
}

export interface BenchTable {
  title: string
  method?: string[]
  headers: string[]
  rows: (string | number)[][]
}

export function renderSection(s: BenchSection): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`
  const table = (headers: string[], rows: (string | number)[][]) => [
    line(headers),
    line(headers.map(() => '---')),
    ...rows.map(line),
    '',
  ]
  return [
    `## ${s.title}`,
    '',
    ...s.method.map((m) => `- ${m}`),
    '',
    ...table(s.headers, s.rows),
    ...(s.tables ?? []).flatMap((t) => [
      `### ${t.title}`,
      '',
      ...(t.method ?? []).map((m) => `- ${m}`),
      ...(t.method?.length ? [''] : []),
      ...table(t.headers, t.rows),
    ]),
    ...s.verdict.map((v) => `- ${v}`),
    '',
  ].join('\n')
}

/** Percentile of an ascending-sorted array (nearest-rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}
