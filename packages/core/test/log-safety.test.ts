import { describe, expect, it } from 'vitest'
import { LOG_REDACT_PATHS, safeErrorMessage, serializeError } from '../src/index.ts'

/** A postgres.js server error as the driver builds it (fields of the ErrorResponse message). */
function postgresError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields['message'])), {
    name: 'PostgresError',
    severity: 'ERROR',
    ...fields,
  })
}

/** drizzle's wrapper: the statement and its parameters in the message, the driver's error as the cause. */
function drizzleError(cause: Error): Error {
  const err = new Error(
    `Failed query: insert into triggers (secret_ciphertext) values ($1)\nparams: v2.abc.SEALED`,
    {
      cause,
    },
  )
  err.name = 'DrizzleQueryError'
  return err
}

describe('serializeError', () => {
  it("keeps a Postgres error's code, constraint, table and column; drops the query, parameters, detail and quoted values", () => {
    const pg = postgresError({
      message: 'duplicate key value violates unique constraint "triggers_tenant_name_uq"',
      code: '23505',
      constraint_name: 'triggers_tenant_name_uq',
      table_name: 'triggers',
      detail: 'Key (tenant, name)=(acme, whsec_SECRET) already exists.',
      where: 'JSON data, line 1: {"secret":"SECRET"',
    })
    const out = serializeError(drizzleError(pg))
    expect(out).toMatchObject({
      type: 'DrizzleQueryError',
      cause: {
        type: 'PostgresError',
        code: '23505',
        constraint: 'triggers_tenant_name_uq',
        table: 'triggers',
      },
    })
    const text = JSON.stringify(out)
    for (const leak of ['SEALED', 'SECRET', 'insert into', 'params']) expect(text).not.toContain(leak)
    expect(safeErrorMessage(drizzleError(pg))).toBe(
      'query failed: duplicate key value violates unique constraint "…" (23505)',
    )
  })

  it('cuts the values a Postgres message quotes', () => {
    const out = serializeError(
      postgresError({ message: 'invalid input syntax for type uuid: "sk_live_1"', code: '22P02' }),
    )
    expect(out['message']).toBe('invalid input syntax for type uuid: "…"')
  })

  it('keeps an ordinary error (type, message, code, frames, cause) and anything thrown', () => {
    const err = Object.assign(
      new Error('connect ECONNREFUSED 127.0.0.1:6379', { cause: new Error('inner') }),
      {
        code: 'ECONNREFUSED',
      },
    )
    expect(serializeError(err)).toMatchObject({
      type: 'Error',
      message: 'connect ECONNREFUSED 127.0.0.1:6379',
      code: 'ECONNREFUSED',
      stack: expect.stringMatching(/^ {4}at /),
      cause: { message: 'inner' },
    })
    expect(serializeError('boom')).toEqual({ type: 'string', message: 'boom' })
    expect(safeErrorMessage(new Error(''))).toBe('Error')
  })

  it('redacts the known places of secrets', () => {
    for (const path of [
      'req.headers.authorization',
      '*.headers',
      '*.body',
      'secretCiphertext',
      '*.parameters',
    ]) {
      expect(LOG_REDACT_PATHS).toContain(path)
    }
  })
})
