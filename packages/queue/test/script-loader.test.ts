import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseScriptFileName, readScriptDefinitions, SCRIPT_NAMES } from '../src/script-loader.ts'

const dir = new URL('../src/scripts/', import.meta.url)

describe('script loader', () => {
  it('reads the key count and the command name from the file name', () => {
    expect(parseScriptFileName('upsert-schedule-4.lua')).toEqual({ name: 'upsertSchedule', numberOfKeys: 4 })
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
