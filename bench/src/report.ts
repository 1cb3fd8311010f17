/** One section of docs/benchmarks.md: a titled results table produced by one benchmark. */
export interface BenchSection {
  id: string
  title: string
  /** How it was measured (machine, load, what counts). */
  method: string[]
  headers: string[]
  rows: (string | number)[][]
  /** Further tables of the same section, each under its own heading, after the first. */
  tables?: { title: string; method?: string[]; headers: string[]; rows: (string | number)[][] }[]
  /** Targets and whether they were met, ratios against the peer. */
  verdict: string[]
}

export function renderSection(s: BenchSection): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`
  return [
    `## ${s.title}`,
    '',
    ...s.method.map((m) => `- ${m}`),
    '',
    line(s.headers),
    line(s.headers.map(() => '---')),
    ...s.rows.map(line),
    '',
    ...(s.tables ?? []).flatMap((t) => [
      `### ${t.title}`,
      '',
      ...(t.method ?? []).map((m) => `- ${m}`),
      ...(t.method?.length ? [''] : []),
      line(t.headers),
      line(t.headers.map(() => '---')),
      ...t.rows.map(line),
      '',
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
