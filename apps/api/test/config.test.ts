import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '@punctual/core'
import { describe, expect, it } from 'vitest'
import { loadApiConfig } from '../src/config.ts'

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
    })
  })

  it('converts values and names the variable of a bad one', () => {
    expect(loadApiConfig({ PORT: '8080', API_RATE_LIMIT_PER_MINUTE: '10' })).toMatchObject({
      PORT: 8080,
      API_RATE_LIMIT_PER_MINUTE: 10,
    })
    for (const [name, value] of [
      ['PORT', 'eighty'],
      ['PORT', '70000'],
      ['REDIS_URL', 'localhost:6379'],
      ['DATABASE_URL', 'mysql://x'],
      ['LOG_LEVEL', 'loud'],
      ['API_RATE_LIMIT_PER_MINUTE', '0'],
      ['JWT_SECRET', 'short'],
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
