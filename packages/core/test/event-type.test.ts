import { describe, expect, it } from 'vitest'
import { validateEventType } from '../src/index.ts'
import { eventTypeMatches } from '../src/testing.ts'

describe('validateEventType', () => {
  it.each(['order.created', 'order', 'order.*', 'order.item.*', '*', 'execution.succeeded', 'a_b-c.D9'])(
    'accepts %s',
    (s) => expect(validateEventType(s)).toBeNull(),
  )
  it.each([
    ['', /empty/],
    ['x'.repeat(257), /256/],
    ['order.*.created', /last segment/],
    ['*.created', /last segment/],
    ['order*', /whole segment/],
    ['order.cre*', /whole segment/],
    ['order..created', /empty/],
    ['.order', /empty/],
    ['order.', /empty/],
    ['order created', /letters, digits/],
    ['order/created', /letters, digits/],
    ['**', /whole segment/],
  ])('refuses %j', (s, reason) => {
    expect(validateEventType(s)).toMatch(reason)
  })
})

describe('eventTypeMatches', () => {
  it('an exact type matches only itself', () => {
    expect(eventTypeMatches('order.created', 'order.created')).toBe(true)
    expect(eventTypeMatches('order.created', 'order.created.v2')).toBe(false)
    expect(eventTypeMatches('order.created', 'order')).toBe(false)
  })
  it('a prefix glob matches deeper types, not the prefix itself', () => {
    expect(eventTypeMatches('order.*', 'order.created')).toBe(true)
    expect(eventTypeMatches('order.*', 'order.item.added')).toBe(true)
    expect(eventTypeMatches('order.*', 'order')).toBe(false)
    expect(eventTypeMatches('order.*', 'order.')).toBe(false)
    expect(eventTypeMatches('order.*', 'orders.created')).toBe(false)
    expect(eventTypeMatches('order.item.*', 'order.item.added')).toBe(true)
    expect(eventTypeMatches('order.item.*', 'order.created')).toBe(false)
  })
  it('* matches every type', () => {
    expect(eventTypeMatches('*', 'order')).toBe(true)
    expect(eventTypeMatches('*', 'execution.succeeded')).toBe(true)
  })
})
