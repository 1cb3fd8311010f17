import { describe, expect, it } from 'vitest'
import { createKeys, REDIS_PREFIX_PATTERN } from '../src/keys.ts'

describe('createKeys', () => {
  it('puts every key under one hash tag', () => {
    const keys = createKeys()
    expect(keys.tag).toBe('{punctual}')
    expect(keys.due).toBe('{punctual}:due')
    expect(keys.rateLimit).toBe('{punctual}:rl:')
    const all = [
      keys.due,
      keys.dueVersion,
      keys.scheduleMinutes,
      keys.conflictKeys('wf-1').dense,
      keys.conflictKeys('wf-1').hourly,
      keys.conflictKeys('wf-1').minutes,
      keys.conflictKeys('wf-1').counts,
      keys.conflictKeys('wf-1').legacyMinutes,
      keys.conflictPrefix,
      keys.rateLimit,
      keys.dueClaims,
      keys.dueClaimInfo,
      keys.legacyReady,
      keys.workflowReady('wf-1'),
      keys.tenantHeads('acme'),
      keys.turns,
      keys.tenantCounts('acme'),
      keys.counts,
      keys.workflowRunning,
      keys.workflowCaps,
      keys.workflowCapVersions,
      keys.delayed,
      keys.running,
      keys.executionPrefix,
      keys.execution('e-1'),
      keys.events,
    ]
    for (const key of all) expect(key.startsWith('{punctual}:')).toBe(true)
    expect(new Set(all).size).toBe(all.length)
    expect(keys.conflictKeys('wf-1').minutes).toBe(`${keys.conflictPrefix}m:wf-1`)
    expect(keys.execution('e-1')).toBe(keys.executionPrefix + 'e-1')
    expect(keys.legacyReady).toBe('{punctual}:ready')
    expect(keys.workflowReady('wf-1')).toBe('{punctual}:rq:wf-1')
    expect(keys.execution('e-1')).toBe(`${keys.base}exec:e-1`)
  })

  it('builds the rate-limit counters as they have always been named (live windows stay valid)', () => {
    const keys = createKeys()
    expect(keys.rateLimitTenant('acme')).toBe('{punctual}:rl:tenant:acme')
    expect(keys.rateLimitTenant('10.0.0.1')).toBe('{punctual}:rl:tenant:10.0.0.1')
    expect(keys.rateLimitUnauth('2001:db8::')).toBe('{punctual}:rl:unauth:2001:db8::')
    expect(keys.rateLimitHook('0190f0e2-0000-7000-8000-000000000001')).toBe(
      '{punctual}:rl:hook:0190f0e2-0000-7000-8000-000000000001',
    )
    for (const key of [keys.rateLimitTenant('a'), keys.rateLimitUnauth('b'), keys.rateLimitHook('c')]) {
      expect(key.startsWith(keys.rateLimit)).toBe(true)
    }
  })

  it('isolates prefixes: the scan pattern of one never matches another', () => {
    const a = createKeys('t1')
    const b = createKeys('t12')
    expect(a.due).toBe('{t1}:due')
    expect(a.scanPattern).toBe('{t1}*')
    expect(b.due.startsWith('{t1}')).toBe(false)
  })

  it('rejects prefixes that would break the hash tag or the scan pattern', () => {
    for (const bad of ['', 'a}b', '{a', 'a*', 'a?', 'a[b]', 'a b', 'x'.repeat(65)]) {
      expect(() => createKeys(bad)).toThrow(TypeError)
    }
    expect(() => createKeys().conflictKeys('')).toThrow(TypeError)
    expect(() => createKeys().execution('')).toThrow(TypeError)
  })
})

describe('REDIS_PREFIX_PATTERN', () => {
  it('is the rule createKeys applies (the configurations check it at boot)', () => {
    const rule = new RegExp(REDIS_PREFIX_PATTERN)
    for (const bad of ['', 'a}b', '{a', 'a*', 'a?', 'a[b]', 'a b', 'a:b', 'x'.repeat(65)]) {
      expect(rule.test(bad), bad).toBe(false)
      expect(() => createKeys(bad)).toThrow(TypeError)
    }
    for (const good of ['punctual', 'a', 'A-b_c.9', 'x'.repeat(64)]) {
      expect(rule.test(good), good).toBe(true)
      expect(createKeys(good).prefix).toBe(good)
    }
  })
})
