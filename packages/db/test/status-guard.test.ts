import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../..', import.meta.url))

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name)
    if (e.isDirectory()) sources(path, out)
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(path)
  }
  return out
}

describe('status guards', () => {
  it('every execution status guard in production SQL is built by status-guard.ts from core STATUS_GUARDS', () => {
    const files = ['packages/db/src', 'apps/worker/src', 'apps/api/src'].flatMap((d) =>
      sources(join(root, d)),
    )
    const offenders: string[] = []
    for (const file of files) {
      const rel = relative(root, file)
      if (rel === 'packages/db/src/status-guard.ts') continue
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/^\s*(\/\/|\*|--).*$/, '')
          // The planner workaround on a status, or a literal test of a status an execution can still leave
          // (queued, running, retrying: what a guard is about) in a where clause or a drizzle condition: each
          // must come from statusIn / statusGuard. Counts of finished statuses are figures, not guards.
          const live = "'(queued|running|retrying)'"
          if (
            /status\s*\|\|\s*''\)/.test(code) ||
            new RegExp(`\\bstatus\\s+in\\s*\\(\\s*${live}`).test(code) ||
            new RegExp(`(where|and)\\s+(\\w+\\.)?status\\s*=\\s*${live}`).test(code) ||
            new RegExp(`(inArray|eq)\\(executions\\.status,\\s*\\[?${live}`).test(code)
          ) {
            offenders.push(`${rel}:${i + 1}: ${line.trim()}`)
          }
        })
    }
    expect(offenders).toEqual([])
  })
})
