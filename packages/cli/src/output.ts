/** Exit codes a script can test (README, "CLI"). */
export const EXIT = {
  OK: 0,
  /** The API refused the request (4xx/5xx): the problem's title, detail and fields are printed. */
  REFUSED: 1,
  /** Bad usage: an unknown command or option, a missing argument, a value that does not parse. */
  USAGE: 2,
  /** The API cannot be reached (wrong URL, stopped, not answering). */
  UNREACHABLE: 3,
  /** Not logged in, or the credential was refused (401). */
  UNAUTHORIZED: 4,
} as const

export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

export interface Output {
  json: boolean
  write(line: string): void
}

type Row = Record<string, unknown>

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** Rows as an aligned table of `columns` (a header line, then one line per row). */
export function table(rows: readonly Row[], columns: readonly string[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c])))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)))
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n')
}

/** A list for people (a table of `columns`, and the next cursor when there is one) or as JSON. */
export function printList(out: Output, value: unknown, columns: readonly string[]) {
  if (out.json) return out.write(JSON.stringify(value, null, 2))
  const page = value as { items?: Row[]; nextCursor?: string | null } | Row[]
  const rows = Array.isArray(page) ? page : (page.items ?? [])
  out.write(rows.length === 0 ? '(none)' : table(rows, columns))
  if (!Array.isArray(page) && page.nextCursor) out.write(`next page: --cursor ${page.nextCursor}`)
}

/** One object for people (`key: value` lines) or as JSON. */
export function printItem(out: Output, value: unknown) {
  if (out.json) return out.write(JSON.stringify(value, null, 2))
  if (value === null || value === undefined) return out.write('done')
  const row = value as Row
  const width = Math.max(...Object.keys(row).map((k) => k.length))
  for (const [k, v] of Object.entries(row)) out.write(`${`${k}:`.padEnd(width + 1)} ${cell(v)}`)
}

interface Problem {
  title?: string
  status?: number
  code?: string
  detail?: string
  errors?: { path: string; message: string }[]
}

/** A problem body as the lines the user reads: title, status and code, detail, then each failing field. */
export function describeProblem(problem: Problem | undefined, status: number): string {
  const head = `error: ${problem?.title ?? 'request refused'} (HTTP ${status}${problem?.code ? ` ${problem.code}` : ''})`
  const lines = [head]
  if (problem?.detail && problem.detail !== problem.title) lines.push(`  ${problem.detail}`)
  for (const e of problem?.errors ?? []) lines.push(`  ${e.path}: ${e.message}`)
  return lines.join('\n')
}
