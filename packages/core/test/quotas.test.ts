import { describe, expect, it } from 'vitest'
import { AppError } from '../src/errors.ts'
import { countFilterMatchers, quotaExceeded } from '../src/quotas.ts'

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
