import { describe, expect, it } from 'vitest'
import { AppError } from '../src/errors.ts'
import { PatternIndex } from '../src/events/pattern-index.ts'
import { exactAnchorKey, plainDecimal } from '../src/events/subpattern-anchor.ts'
import {
  countFilterMatchers,
  countUnanchoredSubpatterns,
  quotaExceeded,
  subpatternAnchors,
} from '../src/quotas.ts'

describe('countFilterMatchers', () => {
  it('counts the leaf entries of a filter, nested keys included', () => {
    expect(countFilterMatchers(null)).toBe(0)
    expect(countFilterMatchers({})).toBe(0)
    expect(countFilterMatchers({ country: ['FR', 'DE'], total: [{ numeric: ['>', 1, '<', 5] }] })).toBe(3)
    expect(countFilterMatchers({ a: { b: { c: [1, 2, 3] } }, d: [{ 'anything-but': ['x', 'y'] }] })).toBe(4)
  })
})

describe('quotaExceeded', () => {
  it('is a 422 naming the quota and its limit', () => {
    const err = quotaExceeded('TENANT_MAX_TRIGGERS', 3)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'SCHED_ERR_QUOTA_EXCEEDED', status: 422 })
    expect(err.message).toContain('TENANT_MAX_TRIGGERS')
    expect(err.errors).toEqual([{ path: 'body', message: 'would exceed TENANT_MAX_TRIGGERS (3)' }])
    expect(quotaExceeded('TENANT_MAX_FILTER_MATCHERS', 10, 'body.filter').errors?.[0]?.path).toBe(
      'body.filter',
    )
  })
})

describe('sub-pattern anchors', () => {
  const qty = [{ numeric: ['>', 1] }]
  it('only a leaf of exact values anchors: prefixes and suffixes do not', () => {
    expect(exactAnchorKey({ sku: ['A'], qty })).toBe('sku')
    expect(exactAnchorKey({ sku: [{ prefix: 'A' }], qty })).toBeUndefined()
    expect(exactAnchorKey({ sku: [{ suffix: 'A' }, { prefix: 'B' }], qty })).toBeUndefined()
    expect(exactAnchorKey({ sku: ['A', { prefix: 'B' }], qty })).toBeUndefined()
    expect(exactAnchorKey({ sku: ['A', { exists: false }], qty })).toBeUndefined()
    expect(exactAnchorKey({ sku: [], qty })).toBeUndefined()
    expect(exactAnchorKey({ sub: { sku: ['A'] }, qty })).toBeUndefined()
    // The fewest distinct values, then the smallest key by code point, whatever the keys' order.
    expect(exactAnchorKey({ c: [1, 2], b: [3], a: [4, 5] })).toBe('b')
    expect(exactAnchorKey({ b: [1, 2], a: [3, 3, 4] })).toBe('a') // two distinct values each: a tie
    expect(exactAnchorKey({ b: [1], a: [2] })).toBe('a')
    expect(exactAnchorKey({ '\u{1F600}': [1], '\uFFFF': [2] })).toBe('\uFFFF')
  })

  it('counts prefix/suffix-only multi-key sub-patterns as unanchored (the root and one-key objects never)', () => {
    expect(countUnanchoredSubpatterns({ items: { sku: [{ prefix: 'A' }], qty } })).toBe(1)
    expect(
      countUnanchoredSubpatterns({ items: { sku: [{ suffix: 'A' }], tag: ['x', { prefix: 'y' }] } }),
    ).toBe(1)
    expect(countUnanchoredSubpatterns({ items: { sku: ['A'], qty } })).toBe(0)
    expect(countUnanchoredSubpatterns({ sku: [{ prefix: 'A' }], qty })).toBe(0)
    expect(countUnanchoredSubpatterns({ items: { sku: [{ prefix: 'A' }] } })).toBe(0)
    expect(countUnanchoredSubpatterns(null)).toBe(0)
  })

  it('lists each anchor once per exact value, with its path', () => {
    expect(subpatternAnchors(null)).toEqual([])
    expect(subpatternAnchors({ sku: ['A'], qty })).toEqual([])
    expect(subpatternAnchors({ items: { sku: [{ prefix: 'A' }], qty } })).toEqual([])
    expect(
      subpatternAnchors({
        items: { sku: ['A', 'B', 'A'], qty },
        a: { 'b.c': { n: [1e21, true, null], m: [{ exists: true }] } },
      }),
    ).toEqual([
      '"a"."b.c"."n"=1000000000000000000000',
      '"a"."b.c"."n"=null',
      '"a"."b.c"."n"=true',
      '"items"."sku"="A"',
      '"items"."sku"="B"',
    ])
    // Numbers as Postgres prints the jsonb numeric (migration 0010 computes stored filters' anchors in SQL).
    expect([1, -2.5, 1e21, 1.5e-7, -1e-7, 123e-20, 0.1, -0].map(plainDecimal)).toEqual([
      '1',
      '-2.5',
      '1000000000000000000000',
      '0.00000015',
      '-0.0000001',
      '0.00000000000000000123',
      '0.1',
      '0',
    ])
  })

  it('the index answers prefix-only sub-patterns on every element, as the quota counts them', () => {
    const patterns = [
      { items: { sku: [{ prefix: 'A' }], qty: [{ numeric: ['>', 5] }] } },
      { items: { sku: ['A-1'], qty: [{ numeric: ['>', 5] }] } },
    ]
    const index = new PatternIndex(patterns)
    expect(
      index.match({
        items: [
          { sku: 'A-1', qty: 1 },
          { sku: 'B', qty: 9 },
        ],
      }),
    ).toEqual([])
    expect(index.match({ items: [{ sku: 'A-2', qty: 9 }] })).toEqual([0])
    expect(index.match({ items: [{ sku: ['B', 'A-1'], qty: [9] }] })).toEqual([0, 1])
  })
})
