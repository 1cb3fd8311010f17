import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const guard = fileURLToPath(new URL('../src/connection-loss.ts', import.meta.url))

/** A process that installs the guard, then leaves a rejection with `code` unhandled (postgres.js's type fetch). */
function run(code: string): Promise<{ exit: number; stdout: string }> {
  const script = `
    const { guardUnhandledConnectionLoss } = await import(${JSON.stringify(guard)})
    guardUnhandledConnectionLoss({ warn: (o, m) => console.log('warn', m, o.code), fatal: (o, m) => console.log('fatal', m) })
    Promise.reject(Object.assign(new Error('lost'), { code: ${JSON.stringify(code)} }))
    setTimeout(() => console.log('still alive'), 50)`
  return new Promise((resolve) =>
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], (err, stdout) =>
      resolve({ exit: err ? Number(err.code) : 0, stdout }),
    ),
  )
}

describe('unhandled connection loss', () => {
  it('a lost Postgres connection left unhandled (postgres.js set-up query) is logged and the process lives', async () => {
    const r = await run('ECONNRESET')
    expect(r.exit).toBe(0)
    expect(r.stdout).toContain('warn a database connection was lost during its set-up ECONNRESET')
    expect(r.stdout).toContain('still alive')
  })

  it('any other unhandled rejection still ends the process', async () => {
    const r = await run('SOMETHING_ELSE')
    expect(r.exit).toBe(1)
    expect(r.stdout).toContain('fatal unhandled rejection')
    expect(r.stdout).not.toContain('still alive')
  })
})
