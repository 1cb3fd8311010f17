import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { createRedis, waitForReady } from '../src/redis.ts'
import {
  expandIncludes,
  parseScriptFileName,
  readScriptDefinitions,
  SCRIPT_NAMES,
} from '../src/script-loader.ts'

const dir = new URL('../src/scripts/', import.meta.url)

describe('script loader', () => {
  it('reads the key count and the command name from the file name', () => {
    expect(parseScriptFileName('upsert-schedule-6.lua')).toEqual({ name: 'upsertSchedule', numberOfKeys: 6 })
    expect(parseScriptFileName('force-repair-schedule-6.lua')).toEqual({
      name: 'forceRepairSchedule',
      numberOfKeys: 6,
    })
    expect(parseScriptFileName('claim-due-3.lua')).toEqual({ name: 'claimDue', numberOfKeys: 3 })
    expect(parseScriptFileName('noKeyCount.lua')).toBeNull()
    expect(parseScriptFileName('Bad-Name-1.lua')).toBeNull()
  })

  it('finds exactly the scripts the code knows', () => {
    const defs = readScriptDefinitions()
    expect([...defs.keys()].sort()).toEqual([...SCRIPT_NAMES].sort())
  })

  it('every script documents its KEYS and ARGV and takes time as an input', () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.lua'))) {
      const lua = readFileSync(new URL(file, dir), 'utf8')
      const { numberOfKeys } = parseScriptFileName(file)!
      expect(lua.startsWith('--[['), file).toBe(true)
      const header = lua.slice(0, lua.indexOf(']]'))
      for (let i = 1; i <= numberOfKeys; i++) expect(header, file).toContain(`KEYS[${i}]`)
      expect(header, file).not.toContain(`KEYS[${numberOfKeys + 1}]`)
      expect(header, file).toContain('ARGV[1]')
      expect(lua, file).not.toMatch(/redis\.call\(\s*'TIME'/i)
    }
  })
})

describe('script includes', () => {
  const redis = createRedis('redis://127.0.0.1:6379/0', { name: 'script-loader-test' })
  afterAll(() => redis.disconnect())

  it('inlines each helper once, recursively, and names a missing one', () => {
    const lua = expandIncludes('--- @include "execution"\n--- @include "chunked"\nreturn 1', 'x-0.lua')
    expect(lua).not.toContain('--- @include')
    expect(lua.match(/local CHUNK = 500/g)?.length).toBe(1)
    expect(lua).toContain('local function readyScore')
    expect(() => expandIncludes('--- @include "no-such-helper"', 'x-0.lua')).toThrow(/no-such-helper/)
  })

  it('every script compiles on Redis once its includes are inlined', async () => {
    await waitForReady(redis, 5000)
    for (const def of readScriptDefinitions().values()) {
      expect(def.lua, def.file).not.toMatch(/^--- @include/m)
      // SCRIPT LOAD compiles without running: a syntax error fails here, not in production.
      await expect(redis.script('LOAD', def.lua), def.file).resolves.toMatch(/^[0-9a-f]{40}$/)
    }
  })
})
