import { readdirSync, readFileSync } from 'node:fs'
import calculateSlot from 'cluster-key-slot'
import { describe, expect, it } from 'vitest'
import { createKeys, type QueueKeys } from '../src/keys.ts'

// Ids as callers pass them, and hostile ones: braces after the tag must not open a second tag.
const SAMPLE_IDS = [
  '0195f3c2-7a1b-7c4e-9f00-1234567890ab',
  'x',
  '}{other}',
  '{evil}',
  'a:b:c',
  '::1',
  '203.0.113.9',
]

/** Every key a QueueKeys builds: its string members, its builders applied to sample ids, conflict keys. */
function everyKey(keys: QueueKeys): { name: string; key: string }[] {
  const found: { name: string; key: string }[] = []
  for (const [name, value] of Object.entries(keys)) {
    if (typeof value === 'string') found.push({ name, key: value })
    else if (typeof value === 'function') {
      for (const id of SAMPLE_IDS) {
        const built: unknown = value(id)
        if (typeof built === 'string') found.push({ name: `${name}(${id})`, key: built })
        else {
          for (const [part, key] of Object.entries(built as Record<string, string>)) {
            found.push({ name: `${name}(${id}).${part}`, key })
          }
        }
      }
    }
  }
  return found
}

// The members that are prefixes: the Lua scripts append to them (execution ids, `wf-cap`, `rq:<workflow>`, …).
const PREFIX_MEMBERS = ['base', 'conflictPrefix', 'executionPrefix', 'rateLimit'] as const
// What the scripts append to `base` (scripts/includes/*.lua and the scripts themselves).
const LUA_SUFFIXES = [
  'wf-cap',
  'wf-running',
  'counts',
  'exec:',
  'rq:wf',
  'heads:t',
  'tenant:t',
  'd:wf',
  'n:wf',
  'f:wf',
  'ff:wf',
  'ft:wf',
  'fb:wf:540',
]

describe('cluster hash slots (keys.ts)', () => {
  for (const prefix of ['punctual', 'a', 'x.y-z_1', 'T'.repeat(64)]) {
    it(`puts every key of prefix ${prefix.slice(0, 12)} in the one slot of its hash tag`, () => {
      const keys = createKeys(prefix)
      const slot = calculateSlot(keys.tag)
      expect(slot).toBe(calculateSlot(prefix))
      const all = everyKey(keys)
      // Sanity: the enumeration found the builders too (not only the plain strings).
      expect(all.some((k) => k.name.startsWith('execution('))).toBe(true)
      expect(all.some((k) => k.name.startsWith('conflictKeys('))).toBe(true)
      expect(all.length).toBeGreaterThan(60)
      const off = all.filter((k) => calculateSlot(k.key) !== slot)
      expect(off).toEqual([])
      for (const member of PREFIX_MEMBERS) {
        for (const suffix of [...LUA_SUFFIXES, ...SAMPLE_IDS]) {
          expect(calculateSlot(keys[member] + suffix), `${member} + ${suffix}`).toBe(slot)
        }
      }
    })
  }

  it('gives each key of a multi-key command outside scripts one slot (what a Cluster client requires)', () => {
    const keys = createKeys('punctual')
    // workflow-caps.ts MULTI (HDEL + HDEL), a page of deleteMatching's UNLINK, reconcile's pipelined EXISTS.
    const groups = [
      [keys.workflowCaps, keys.workflowCapVersions],
      SAMPLE_IDS.map((id) => keys.execution(id)),
      [keys.due, keys.dueVersion, keys.scheduleMinutes, keys.dueClaims, keys.dueClaimInfo, keys.events],
    ]
    for (const group of groups) expect(new Set(group.map((k) => calculateSlot(k))).size).toBe(1)
  })

  it('builds every key inside Lua from a base the caller passes in the tag (no literal key names)', () => {
    // A script that built a key from a literal (`'punctual:x'`) would leave the slot: keys come from KEYS[n]
    // or from a prefix ARGV documented as `{prefix}:`-based.
    const dir = new URL('../src/scripts/', import.meta.url)
    const files = [
      ...readdirSync(dir).filter((f) => f.endsWith('.lua')),
      ...readdirSync(new URL('includes/', dir)).map((f) => `includes/${f}`),
    ]
    expect(files.length).toBeGreaterThan(20)
    for (const file of files) {
      const lua = readFileSync(new URL(file, dir), 'utf8')
      const code = lua
        .split('\n')
        .filter((l) => !l.trim().startsWith('--'))
        .join('\n')
      // redis.call('<CMD>', '<literal key>' …) never appears: the first argument after the command is a
      // variable (commands whose first argument is a subcommand, XGROUP DELCONSUMER, or an operation, BITOP OR,
      // are not key positions).
      const literalKeys = [...code.matchAll(/redis\.p?call\(\s*'([A-Za-z]+)'\s*,\s*'/g)].filter(
        (m) => !['XGROUP', 'XINFO', 'OBJECT', 'BITOP'].includes(m[1]!.toUpperCase()),
      )
      expect(
        literalKeys.map((m) => m[0]),
        file,
      ).toEqual([])
      expect(code, file).not.toMatch(/\{punctual\}/)
    }
  })
})
