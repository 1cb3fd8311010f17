import { describe, expect, it } from 'vitest'
import { exactLeaves, matchesPattern, validateEventPattern } from '../src/index.ts'

const order = {
  id: 'o-1',
  status: 'paid',
  total: 42.5,
  count: 3,
  express: false,
  coupon: null,
  customer: { id: 'c-7', tier: 'gold', address: { country: 'FR', city: 'Lyon' } },
  tags: ['new', 'promo'],
  items: [
    { sku: 'A-1', qty: 1, price: 10 },
    { sku: 'B-2', qty: 5, price: 6.5 },
  ],
  source: 's3://bucket/orders/2026/o-1.json',
}

describe('matchesPattern', () => {
  it('matches everything with {}, null or no pattern', () => {
    for (const data of [order, {}, null, 5, 'x', [], undefined]) {
      expect(matchesPattern({}, data)).toBe(true)
      expect(matchesPattern(null, data)).toBe(true)
      expect(matchesPattern(undefined, data)).toBe(true)
    }
  })

  it('exact values: any listed value matches, JSON scalars compared strictly', () => {
    expect(matchesPattern({ status: ['paid'] }, order)).toBe(true)
    expect(matchesPattern({ status: ['refunded', 'paid'] }, order)).toBe(true)
    expect(matchesPattern({ status: ['refunded'] }, order)).toBe(false)
    expect(matchesPattern({ count: [3] }, order)).toBe(true)
    expect(matchesPattern({ count: ['3'] }, order)).toBe(false)
    expect(matchesPattern({ total: [42.5] }, order)).toBe(true)
    expect(matchesPattern({ express: [false] }, order)).toBe(true)
    expect(matchesPattern({ express: ['false'] }, order)).toBe(false)
    expect(matchesPattern({ express: [0] }, order)).toBe(false)
    expect(matchesPattern({ coupon: [null] }, order)).toBe(true)
    expect(matchesPattern({ coupon: ['null'] }, order)).toBe(false)
    // null is a value: an absent key is not null.
    expect(matchesPattern({ missing: [null] }, order)).toBe(false)
    // An object in the payload is not a scalar.
    expect(matchesPattern({ customer: ['c-7'] }, order)).toBe(false)
  })

  it('all keys must match', () => {
    expect(matchesPattern({ status: ['paid'], count: [3] }, order)).toBe(true)
    expect(matchesPattern({ status: ['paid'], count: [4] }, order)).toBe(false)
  })

  it('nested objects', () => {
    expect(matchesPattern({ customer: { address: { country: ['FR'] } } }, order)).toBe(true)
    expect(matchesPattern({ customer: { tier: ['gold'], address: { country: ['DE'] } } }, order)).toBe(false)
    expect(matchesPattern({ customer: { address: { country: ['FR'] } } }, { customer: 'c-7' })).toBe(false)
    expect(matchesPattern({ customer: { id: ['c-7'] } }, { customer: null })).toBe(false)
  })

  it('a payload array matches when any element matches', () => {
    expect(matchesPattern({ tags: ['promo'] }, order)).toBe(true)
    expect(matchesPattern({ tags: ['vip'] }, order)).toBe(false)
    expect(matchesPattern({ tags: [{ prefix: 'pro' }] }, order)).toBe(true)
    expect(matchesPattern({ items: { sku: ['B-2'] } }, order)).toBe(true)
    expect(matchesPattern({ items: { qty: [{ numeric: ['>', 4] }] } }, order)).toBe(true)
    // One element must match the whole sub-pattern.
    expect(matchesPattern({ items: { sku: ['A-1'], qty: [5] } }, order)).toBe(false)
    expect(matchesPattern({ items: { sku: ['B-2'], qty: [5] } }, order)).toBe(true)
    // Arrays of arrays are fanned out too.
    expect(matchesPattern({ grid: [3] }, { grid: [[1, 2], [3]] })).toBe(true)
    expect(matchesPattern({ grid: { x: [3] } }, { grid: [[{ x: 1 }], [{ x: 3 }]] })).toBe(true)
    expect(matchesPattern({ tags: ['a'] }, { tags: [] })).toBe(false)
    // A top-level array payload: one element must match.
    expect(matchesPattern({ sku: ['B-2'] }, order.items)).toBe(true)
  })

  it('prefix and suffix match strings only', () => {
    expect(matchesPattern({ source: [{ prefix: 's3://bucket/' }] }, order)).toBe(true)
    expect(matchesPattern({ source: [{ prefix: 's3://other/' }] }, order)).toBe(false)
    expect(matchesPattern({ source: [{ suffix: '.json' }] }, order)).toBe(true)
    expect(matchesPattern({ source: [{ suffix: '.csv' }] }, order)).toBe(false)
    expect(matchesPattern({ count: [{ prefix: '3' }] }, order)).toBe(false)
    expect(matchesPattern({ missing: [{ prefix: '' }] }, order)).toBe(false)
    expect(matchesPattern({ status: [{ prefix: '' }] }, order)).toBe(true)
  })

  it('anything-but: present and not listed; single value, list, prefix and suffix forms', () => {
    expect(matchesPattern({ status: [{ 'anything-but': ['refunded', 'void'] }] }, order)).toBe(true)
    expect(matchesPattern({ status: [{ 'anything-but': ['paid'] }] }, order)).toBe(false)
    expect(matchesPattern({ status: [{ 'anything-but': 'paid' }] }, order)).toBe(false)
    expect(matchesPattern({ status: [{ 'anything-but': 'void' }] }, order)).toBe(true)
    expect(matchesPattern({ count: [{ 'anything-but': [3] }] }, order)).toBe(false)
    expect(matchesPattern({ count: [{ 'anything-but': ['3'] }] }, order)).toBe(true)
    expect(matchesPattern({ coupon: [{ 'anything-but': [null] }] }, order)).toBe(false)
    // EventBridge: anything-but does not match an absent key, nor an object.
    expect(matchesPattern({ missing: [{ 'anything-but': ['x'] }] }, order)).toBe(false)
    expect(matchesPattern({ customer: [{ 'anything-but': ['x'] }] }, order)).toBe(false)
    // An array matches when one element is not excluded.
    expect(matchesPattern({ tags: [{ 'anything-but': ['new'] }] }, order)).toBe(true)
    expect(matchesPattern({ tags: [{ 'anything-but': ['new', 'promo'] }] }, order)).toBe(false)
    expect(matchesPattern({ source: [{ 'anything-but': { prefix: 's3://' } }] }, order)).toBe(false)
    expect(matchesPattern({ source: [{ 'anything-but': { prefix: 'gs://' } }] }, order)).toBe(true)
    expect(matchesPattern({ source: [{ 'anything-but': { suffix: '.json' } }] }, order)).toBe(false)
    expect(matchesPattern({ source: [{ 'anything-but': { suffix: '.csv' } }] }, order)).toBe(true)
    expect(matchesPattern({ count: [{ 'anything-but': { prefix: 'x' } }] }, order)).toBe(false)
  })

  it('numeric: ranges, equality, numbers only', () => {
    const m = (numeric: unknown[], data: unknown) => matchesPattern({ v: [{ numeric }] }, { v: data })
    expect(m(['>', 0, '<=', 5], 5)).toBe(true)
    expect(m(['>', 0, '<=', 5], 0)).toBe(false)
    expect(m(['>', 0, '<=', 5], 5.01)).toBe(false)
    expect(m(['>=', 0, '<', 5], 0)).toBe(true)
    expect(m(['>=', 0, '<', 5], 5)).toBe(false)
    expect(m(['<', 0], -1e9)).toBe(true)
    expect(m(['=', 42.5], 42.5)).toBe(true)
    expect(m(['=', 42.5], 42)).toBe(false)
    expect(m(['>', 0], '5')).toBe(false)
    expect(m(['>', 0], null)).toBe(false)
    expect(m(['>', 0], true)).toBe(false)
    expect(m(['>', 0], undefined)).toBe(false)
    expect(m(['>', 0], [-1, 2])).toBe(true)
    expect(m(['>', 0], [-1, -2])).toBe(false)
  })

  it('exists: true for a present key (any value), false for an absent one', () => {
    expect(matchesPattern({ coupon: [{ exists: true }] }, order)).toBe(true)
    expect(matchesPattern({ customer: [{ exists: true }] }, order)).toBe(true)
    expect(matchesPattern({ missing: [{ exists: true }] }, order)).toBe(false)
    expect(matchesPattern({ missing: [{ exists: false }] }, order)).toBe(true)
    expect(matchesPattern({ coupon: [{ exists: false }] }, order)).toBe(false)
    expect(matchesPattern({ tags: [{ exists: true }] }, { tags: [] })).toBe(true)
    // Below a missing parent the key is absent too.
    expect(matchesPattern({ refund: { reason: [{ exists: false }] } }, order)).toBe(true)
    expect(matchesPattern({ refund: { reason: [{ exists: true }] } }, order)).toBe(false)
    expect(matchesPattern({ items: { discount: [{ exists: false }] } }, order)).toBe(true)
    expect(matchesPattern({ items: { discount: [{ exists: false }] } }, { items: [] })).toBe(true)
    expect(matchesPattern({ missing: [{ exists: false }] }, null)).toBe(true)
    // Alternatives: absent or a given value.
    expect(matchesPattern({ coupon: ['SPRING', { exists: false }] }, {})).toBe(true)
    expect(matchesPattern({ coupon: ['SPRING', { exists: false }] }, { coupon: 'SPRING' })).toBe(true)
    expect(matchesPattern({ coupon: ['SPRING', { exists: false }] }, { coupon: 'FALL' })).toBe(false)
  })

  it('only own keys: prototype names are ordinary absent keys', () => {
    expect(matchesPattern({ constructor: [{ exists: true }] }, {})).toBe(false)
    const pattern = JSON.parse('{"__proto__": ["x"]}')
    expect(matchesPattern(pattern, JSON.parse('{"__proto__": "x"}'))).toBe(true)
    expect(matchesPattern(pattern, {})).toBe(false)
    expect(matchesPattern({ toString: { length: [0] } }, {})).toBe(false)
  })

  it('an invalid pattern matches nothing instead of throwing', () => {
    expect(matchesPattern('status' as never, order)).toBe(false)
    expect(matchesPattern({ status: 'paid' }, order)).toBe(false)
    expect(matchesPattern({ status: [{ regex: '.*' }] }, order)).toBe(false)
    expect(matchesPattern({ status: [{ prefix: 'p', suffix: 'd' }] }, order)).toBe(false)
    expect(matchesPattern({ status: [{ prefix: 5 }] }, order)).toBe(false)
    expect(matchesPattern({ count: [{ numeric: ['~', 3] }] }, order)).toBe(false)
    expect(matchesPattern({ count: [{ numeric: ['>', '3'] }] }, order)).toBe(false)
    expect(matchesPattern({ count: [{ numeric: 3 }] }, order)).toBe(false)
    expect(matchesPattern({ status: [{ 'anything-but': { regex: 'x' } }] }, order)).toBe(false)
  })

  it('the same pattern object gives the same answers on repeated calls (compiled once)', () => {
    const pattern = { status: ['paid'], items: { qty: [{ numeric: ['>=', 5] }] } }
    for (let i = 0; i < 3; i++) {
      expect(matchesPattern(pattern, order)).toBe(true)
      expect(matchesPattern(pattern, { ...order, status: 'void' })).toBe(false)
    }
  })
})

describe('validateEventPattern', () => {
  const valid = [
    {},
    { status: ['paid', 'void', null, 3, true] },
    { detail: { amount: [{ numeric: ['>', 0, '<=', 5] }], currency: [{ 'anything-but': 'EUR' }] } },
    { a: [{ numeric: ['=', 3] }], b: [{ numeric: ['>=', 1, '<=', 1] }], c: [{ numeric: ['<', 1, '>', -1] }] },
    { a: [{ prefix: 'x' }, { suffix: 'y' }, { exists: false }] },
    {
      a: [
        { 'anything-but': ['x', 1] },
        { 'anything-but': { prefix: 'p' } },
        { 'anything-but': { suffix: 's' } },
      ],
    },
  ]
  it.each(valid.map((p) => [JSON.stringify(p), p]))('accepts %s', (_, pattern) => {
    expect(validateEventPattern(pattern)).toEqual([])
  })

  const invalid: [string, unknown, { path: string; message: RegExp }[]][] = [
    ['a string', 'paid', [{ path: '', message: /JSON object/ }]],
    ['null', null, [{ path: '', message: /JSON object/ }]],
    ['an array', [{ a: ['x'] }], [{ path: '', message: /JSON object/ }]],
    ['a bare value leaf', { status: 'paid' }, [{ path: '/status', message: /list of allowed values/ }]],
    ['a null leaf', { status: null }, [{ path: '/status', message: /list of allowed values/ }]],
    ['an empty list', { status: [] }, [{ path: '/status', message: /empty/ }]],
    ['an empty nested object', { detail: {} }, [{ path: '/detail', message: /empty object/ }]],
    ['a nested array', { status: [['a']] }, [{ path: '/status/0', message: /string, number/ }]],
    [
      'an unknown matcher',
      { status: [{ regex: 'x' }] },
      [{ path: '/status/0/regex', message: /unknown matcher/ }],
    ],
    ['an empty matcher', { status: [{}] }, [{ path: '/status/0', message: /exactly one key/ }]],
    [
      'a matcher with two keys',
      { status: [{ prefix: 'a', suffix: 'b' }] },
      [{ path: '/status/0', message: /exactly one key/ }],
    ],
    ['a non-string prefix', { a: [{ prefix: 1 }] }, [{ path: '/a/0/prefix', message: /string/ }]],
    ['a non-string suffix', { a: [{ suffix: null }] }, [{ path: '/a/0/suffix', message: /string/ }]],
    ['a non-boolean exists', { a: [{ exists: 'yes' }] }, [{ path: '/a/0/exists', message: /true or false/ }]],
    ['anything-but []', { a: [{ 'anything-but': [] }] }, [{ path: '/a/0/anything-but', message: /empty/ }]],
    [
      'anything-but holding an object',
      { a: [{ 'anything-but': [{ x: 1 }] }] },
      [{ path: '/a/0/anything-but/0', message: /string, number/ }],
    ],
    [
      'anything-but with an unknown form',
      { a: [{ 'anything-but': { numeric: ['>', 1] } }] },
      [{ path: '/a/0/anything-but', message: /prefix/ }],
    ],
    [
      'anything-but prefix not a string',
      { a: [{ 'anything-but': { prefix: 1 } }] },
      [{ path: '/a/0/anything-but/prefix', message: /string/ }],
    ],
    [
      'anything-but undefined',
      { a: [{ 'anything-but': undefined }] },
      [{ path: '/a/0/anything-but', message: /prefix/ }],
    ],
    ['numeric not a list', { a: [{ numeric: 5 }] }, [{ path: '/a/0/numeric', message: /pairs/ }]],
    ['numeric odd length', { a: [{ numeric: ['>', 1, '<'] }] }, [{ path: '/a/0/numeric', message: /pairs/ }]],
    ['numeric empty', { a: [{ numeric: [] }] }, [{ path: '/a/0/numeric', message: /pairs/ }]],
    [
      'numeric bad operator',
      { a: [{ numeric: ['!=', 1] }] },
      [{ path: '/a/0/numeric/0', message: /one of/ }],
    ],
    [
      'numeric string operand',
      { a: [{ numeric: ['>', '1'] }] },
      [{ path: '/a/0/numeric/1', message: /finite/ }],
    ],
    [
      'numeric infinite operand',
      { a: [{ numeric: ['<', Number.POSITIVE_INFINITY] }] },
      [{ path: '/a/0/numeric/1', message: /finite/ }],
    ],
    [
      'numeric two lower bounds',
      { a: [{ numeric: ['>', 1, '>=', 2] }] },
      [{ path: '/a/0/numeric/2', message: /one lower bound/ }],
    ],
    [
      'numeric two upper bounds',
      { a: [{ numeric: ['<', 1, '<=', 2] }] },
      [{ path: '/a/0/numeric/2', message: /one upper bound/ }],
    ],
    [
      'numeric = with a bound',
      { a: [{ numeric: ['=', 1, '<', 2] }] },
      [{ path: '/a/0/numeric/0', message: /only operator/ }],
    ],
    [
      'numeric empty range',
      { a: [{ numeric: ['>', 5, '<', 3] }] },
      [{ path: '/a/0/numeric', message: /range is empty/ }],
    ],
    [
      'numeric empty range at one point',
      { a: [{ numeric: ['>', 5, '<=', 5] }] },
      [{ path: '/a/0/numeric', message: /range is empty/ }],
    ],
    ['a NaN value', { a: [Number.NaN] }, [{ path: '/a/0', message: /string, number/ }]],
    [
      'keys with / and ~ escaped in the pointer',
      { 'a/b': { 'c~d': [] } },
      [{ path: '/a~1b/c~0d', message: /empty/ }],
    ],
    [
      'several problems, all listed',
      { a: [], b: { c: 'x' }, d: [{ exists: 1 }] },
      [
        { path: '/a', message: /empty/ },
        { path: '/b/c', message: /list/ },
        { path: '/d/0/exists', message: /true or false/ },
      ],
    ],
  ]
  it.each(invalid)('refuses %s, naming the path', (_, pattern, expected) => {
    const errors = validateEventPattern(pattern)
    expect(errors.map((e) => e.path)).toEqual(expected.map((e) => e.path))
    errors.forEach((e, i) => {
      expect(e.message).toMatch(expected[i]!.message)
    })
  })

  it('limits depth to 10 levels', () => {
    const nest = (levels: number): Record<string, unknown> => {
      let p: Record<string, unknown> = { leaf: ['x'] }
      for (let i = 1; i < levels; i++) p = { k: p }
      return p
    }
    expect(validateEventPattern(nest(10))).toEqual([])
    const errors = validateEventPattern(nest(11))
    expect(errors).toHaveLength(1)
    expect(errors[0]!.path).toBe(`${'/k'.repeat(10)}`)
    expect(errors[0]!.message).toMatch(/10 levels/)
  })

  it('limits leaf entries to 1,000 in total', () => {
    const values = Array.from({ length: 500 }, (_, i) => `v${i}`)
    expect(validateEventPattern({ a: values, b: values })).toEqual([])
    const errors = validateEventPattern({ a: values, b: values, c: ['one too many', 'and more'] })
    expect(errors).toEqual([{ path: '/c/0', message: expect.stringMatching(/at most 1000/) }])
  })

  it('limits key and string lengths', () => {
    expect(validateEventPattern({ ['k'.repeat(256)]: ['x'.repeat(1024)] })).toEqual([])
    expect(validateEventPattern({ ['k'.repeat(257)]: ['x'] }).map((e) => e.message)).toEqual([
      expect.stringMatching(/256 characters/),
    ])
    const long = 'x'.repeat(1025)
    const errors = validateEventPattern({
      a: [long],
      b: [{ prefix: long }],
      c: [{ 'anything-but': long }],
      d: [{ 'anything-but': [long] }],
      e: [{ 'anything-but': { suffix: long } }],
    })
    expect(errors.map((e) => e.path)).toEqual([
      '/a/0',
      '/b/0/prefix',
      '/c/0/anything-but',
      '/d/0/anything-but/0',
      '/e/0/anything-but/suffix',
    ])
    for (const e of errors) expect(e.message).toMatch(/1024 characters/)
  })

  it('lists at most 50 problems', () => {
    const pattern = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, []]))
    expect(validateEventPattern(pattern)).toHaveLength(50)
  })
})

describe('exactLeaves', () => {
  it('lists the leaves made only of exact scalars, with their key path', () => {
    expect(
      exactLeaves({
        type: ['a', 'b', 'a'],
        detail: {
          customer: { id: ['c1'] },
          amount: [{ numeric: ['>', 1] }],
          region: ['eu', { prefix: 'us-' }],
        },
        nothing: [],
      }),
    ).toEqual([
      { path: ['type'], values: ['a', 'b'] },
      { path: ['detail', 'customer', 'id'], values: ['c1'] },
    ])
    expect(exactLeaves(null)).toEqual([])
  })
})
