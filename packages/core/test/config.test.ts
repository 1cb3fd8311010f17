import { Type } from 'typebox'
import { describe, expect, it } from 'vitest'
import { baseConfigFields, ConfigError, maskUrl, parseEnv } from '../src/index.ts'

const schema = Type.Object({
  ...baseConfigFields({ redisPrefixPattern: '^[a-z]{1,8}$', databasePoolSize: 7 }),
  OWN: Type.Integer({ default: 1 }),
})

function refusal(env: Record<string, string>): ConfigError {
  try {
    parseEnv(schema, env)
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error(`accepted ${JSON.stringify(env)}`)
}

describe('baseConfigFields', () => {
  it('fills the shared defaults, with the pool size the process hands in', () => {
    expect(parseEnv(schema, {})).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/punctual',
      DATABASE_POOL_SIZE: 7,
      DATABASE_SCHEMA: 'punctual',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      REDIS_PREFIX: 'punctual',
      REDIS_TLS: false,
      LOG_LEVEL: 'info',
      TRIGGER_CACHE_TTL_MS: 1000,
      OWN: 1,
    })
  })

  it('checks REDIS_PREFIX against the rule handed in, naming the variable', () => {
    expect(parseEnv(schema, { REDIS_PREFIX: 'abc' }).REDIS_PREFIX).toBe('abc')
    for (const bad of ['abcdefghi', 'A', 'a:b']) {
      const err = refusal({ REDIS_PREFIX: bad })
      expect(err.variable).toBe('REDIS_PREFIX')
      expect(err.message).toMatch(/^Invalid configuration: REDIS_PREFIX must/)
    }
  })

  it('converts and checks the other shared variables', () => {
    expect(
      parseEnv(schema, { DATABASE_POOL_SIZE: '30', LOG_LEVEL: 'silent', TRIGGER_CACHE_TTL_MS: '0' }),
    ).toMatchObject({ DATABASE_POOL_SIZE: 30, LOG_LEVEL: 'silent', TRIGGER_CACHE_TTL_MS: 0 })
    for (const [variable, value] of [
      ['DATABASE_URL', 'mysql://x'],
      ['DATABASE_POOL_SIZE', '0'],
      ['REDIS_URL', 'localhost:6379'],
      ['LOG_LEVEL', 'loud'],
      ['TRIGGER_CACHE_TTL_MS', '60001'],
    ] as const) {
      expect(refusal({ [variable]: value }).variable).toBe(variable)
    }
  })
})

describe('configuration errors never show a value', () => {
  it('names the variable and the rule; a URL is shown with its password masked', () => {
    const err = refusal({ DATABASE_URL: 'mysql://admin:hunter2-secret@db.internal:3306/app?sslkey=k' })
    expect(err.variable).toBe('DATABASE_URL')
    expect(err.message).toMatch(
      /^Invalid configuration: DATABASE_URL \(mysql:\/\/admin:\*\*\*@db\.internal:3306\/app\) must/,
    )
    expect(err.message).not.toContain('hunter2')
    expect(err.message).not.toContain('sslkey')
    const pool = refusal({ DATABASE_POOL_SIZE: '0' })
    expect(pool.message).toMatch(/^Invalid configuration: DATABASE_POOL_SIZE must/)
  })

  it('masks passwords and drops queries and fragments', () => {
    expect(maskUrl('redis://:p4ss@127.0.0.1:6379/0')).toBe('redis://:***@127.0.0.1:6379/0')
    expect(maskUrl('https://a:b@example.com/x?key=abc#frag')).toBe('https://a:***@example.com/x')
    expect(maskUrl('postgres://postgres@127.0.0.1:5432/db?password=pw')).toBe(
      'postgres://postgres@127.0.0.1:5432/db',
    )
    expect(maskUrl('not a url with secret')).toBe('<not a URL>')
  })
})
