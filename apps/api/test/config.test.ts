import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '@punctual/core'
import { describe, expect, it } from 'vitest'
import {
  DEV_JWT_SECRET,
  DEV_SECRETS_ENCRYPTION_KEY,
  loadApiConfig,
  usesDevJwtSecret,
  usesDevSecretsKey,
} from '../src/config.ts'

describe('configuration', () => {
  it('has localhost defaults that work on a fresh machine', () => {
    const config = loadApiConfig({})
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/punctual',
      LOG_LEVEL: 'info',
      API_RATE_LIMIT_PER_MINUTE: 6000,
      // The workers purge expired receipts; the API only when told no worker runs.
      API_RECEIPT_PURGE_INTERVAL_MS: 0,
    })
  })

  it('converts values and names the variable of a bad one', () => {
    expect(loadApiConfig({ PORT: '8080', API_RATE_LIMIT_PER_MINUTE: '10' })).toMatchObject({
      PORT: 8080,
      API_RATE_LIMIT_PER_MINUTE: 10,
      DATABASE_SCHEMA: 'punctual',
    })
    for (const [name, value] of [
      ['PORT', 'eighty'],
      ['PORT', '70000'],
      ['REDIS_URL', 'localhost:6379'],
      ['DATABASE_URL', 'mysql://x'],
      ['LOG_LEVEL', 'loud'],
      ['API_RATE_LIMIT_PER_MINUTE', '0'],
      ['JWT_SECRET', 'short'],
      // The key builder's rule (REDIS_PREFIX_PATTERN): these used to pass here and crash createKeys at boot.
      ['REDIS_PREFIX', 'a:b'],
      ['REDIS_PREFIX', 'x'.repeat(65)],
      // A schema name that would need quoting in search_path.
      ['DATABASE_SCHEMA', 'Punctual'],
      ['DATABASE_SCHEMA', 'a;drop'],
    ]) {
      let error: unknown
      try {
        loadApiConfig({ [name as string]: value })
      } catch (err) {
        error = err
      }
      expect(error, name).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).variable).toBe(name)
      expect((error as Error).message).toContain(name as string)
    }
  })

  it('takes the webhook secrets key as base64 or hex, never echoes a bad one, and refuses the dev key in production', () => {
    const b64 = Buffer.alloc(32, 1).toString('base64')
    const hex = Buffer.alloc(32, 2).toString('hex')
    expect(loadApiConfig({ SECRETS_ENCRYPTION_KEY: b64 }).secretKeys.keys).toEqual([Buffer.alloc(32, 1)])
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }
    expect(loadApiConfig({ SECRETS_ENCRYPTION_KEY: hex, ...production }).secretKeys.keys).toEqual([
      Buffer.alloc(32, 2),
    ])
    const dev = loadApiConfig({})
    expect(dev.secretKeys.keys).toEqual([Buffer.from(DEV_SECRETS_ENCRYPTION_KEY, 'base64')])
    expect(dev.WEBHOOK_SECRET_GRACE_MS).toBe(86_400_000)
    expect(usesDevSecretsKey(dev)).toBe(true)
    expect(usesDevSecretsKey(loadApiConfig({ SECRETS_ENCRYPTION_KEY: b64 }))).toBe(false)
    expect(loadApiConfig({ WEBHOOK_SECRET_GRACE_MS: '0' }).WEBHOOK_SECRET_GRACE_MS).toBe(0)

    const bad = [
      { SECRETS_ENCRYPTION_KEY: 'too-short-secret-value' },
      { SECRETS_ENCRYPTION_KEY: Buffer.alloc(16, 3).toString('base64') },
      { SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('hex').slice(2) },
      { ...production },
      { ...production, SECRETS_ENCRYPTION_KEY: DEV_SECRETS_ENCRYPTION_KEY },
      // The same bytes written otherwise: unpadded, hex, padded with spaces.
      { ...production, SECRETS_ENCRYPTION_KEY: DEV_SECRETS_ENCRYPTION_KEY.replace(/=$/, '') },
      {
        ...production,
        SECRETS_ENCRYPTION_KEY: Buffer.from(DEV_SECRETS_ENCRYPTION_KEY, 'base64').toString('hex'),
      },
      { ...production, SECRETS_ENCRYPTION_KEY: `  ${DEV_SECRETS_ENCRYPTION_KEY} ` },
      { WEBHOOK_SECRET_GRACE_MS: '-1' },
      { WEBHOOK_SECRET_GRACE_MS: 'a day' },
    ]
    for (const env of bad) {
      let error: unknown
      try {
        loadApiConfig(env)
      } catch (err) {
        error = err
      }
      const variable = 'WEBHOOK_SECRET_GRACE_MS' in env ? 'WEBHOOK_SECRET_GRACE_MS' : 'SECRETS_ENCRYPTION_KEY'
      expect(error, JSON.stringify(env)).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).variable).toBe(variable)
      const key = (env as { SECRETS_ENCRYPTION_KEY?: string }).SECRETS_ENCRYPTION_KEY
      if (key) expect((error as Error).message).not.toContain(key.trim())
    }
  })

  it('refuses in production a JWT_SECRET that is unset, the development default or under 32 bytes', () => {
    const key = { SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'), NODE_ENV: 'production' }
    for (const secret of [
      undefined,
      DEV_JWT_SECRET,
      ` ${DEV_JWT_SECRET} `,
      'a-secret-of-31-bytes-0123456789',
    ]) {
      let error: unknown
      try {
        loadApiConfig({ ...key, ...(secret !== undefined && { JWT_SECRET: secret }) })
      } catch (err) {
        error = err
      }
      expect(error, String(secret)).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).variable).toBe('JWT_SECRET')
      if (secret) expect((error as Error).message).not.toContain(secret.trim())
    }
    expect(loadApiConfig({ ...key, JWT_SECRET: 's'.repeat(32) }).JWT_SECRET).toBe('s'.repeat(32))
    // Verified with a public key or a JWKS: no JWT_SECRET needed.
    expect(loadApiConfig({ ...key, JWT_JWKS_URL: 'https://id.example.com/jwks.json' }).JWT_JWKS_URL).toBe(
      'https://id.example.com/jwks.json',
    )
    expect(loadApiConfig({ ...key, JWT_PUBLIC_KEY: 'pem' }).JWT_PUBLIC_KEY).toBe('pem')
    // Outside production the development secret is the default (the server warns).
    const dev = loadApiConfig({})
    expect(dev.JWT_SECRET).toBe(DEV_JWT_SECRET)
    expect(usesDevJwtSecret(dev)).toBe(true)
    expect(dev.JWT_MAX_TTL_SECONDS).toBe(604_800)
  })

  it('stops the server at boot with a message naming the variable', async () => {
    const server = fileURLToPath(new URL('../src/server.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', server], {
      env: { ...process.env, PORT: 'not-a-port' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr += d
    })
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(code).toBe(1)
    expect(stderr).toContain('PORT')
  })
})
