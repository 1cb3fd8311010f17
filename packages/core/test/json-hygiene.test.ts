import { describe, expect, it } from 'vitest'
import { fieldPath } from '../src/errors.ts'
import {
  decodeJsonBytes,
  findJsonHygieneIssue,
  findJsonHygieneIssueInText,
  jsonHygieneError,
} from '../src/json-hygiene.ts'

function nest(levels: number): unknown {
  let value: unknown = {}
  for (let i = 1; i < levels; i++) value = { a: value }
  return value
}

describe('findJsonHygieneIssue', () => {
  it('allows 32 levels of containers and names the first value at the 33rd', () => {
    expect(findJsonHygieneIssue(nest(32))).toBeUndefined()
    expect(findJsonHygieneIssue(nest(33))).toEqual({
      reason: 'depth',
      path: Array(32).fill('a'),
      inKey: false,
    })
    expect(findJsonHygieneIssue({ x: [[1], nest(32)] })).toEqual({
      reason: 'depth',
      path: ['x', 1, ...Array(30).fill('a')],
      inKey: false,
    })
  })

  it('walks 200,000 levels without recursion', () => {
    let value: unknown = 1
    for (let i = 0; i < 200_000; i++) value = [value]
    expect(findJsonHygieneIssue(value)?.reason).toBe('depth')
  })

  it('finds a NUL or an unpaired surrogate in values and keys, in document order', () => {
    expect(findJsonHygieneIssue({ a: 'ok', b: ['x', 'y\u0000'] })).toEqual({
      reason: 'nul',
      path: ['b', 1],
      inKey: false,
    })
    expect(findJsonHygieneIssue({ a: { 'k\ud800': 1 } })).toEqual({
      reason: 'surrogate',
      path: ['a', 'k\ud800'],
      inKey: true,
    })
    expect(findJsonHygieneIssue(['\udc00x'])).toEqual({ reason: 'surrogate', path: [0], inKey: false })
    expect(findJsonHygieneIssue(['x\ud83d'])).toEqual({ reason: 'surrogate', path: [0], inKey: false })
    expect(findJsonHygieneIssue('\u0000')).toEqual({ reason: 'nul', path: [], inKey: false })
  })

  it('accepts surrogate pairs, U+FFFD and other control characters', () => {
    expect(findJsonHygieneIssue({ '😀': ['😀', '\ufffd', '\u0001\n'], n: 1, z: null })).toBeUndefined()
  })
})

describe('decodeJsonBytes', () => {
  it('decodes UTF-8 as usual', () => {
    expect(decodeJsonBytes(Buffer.from('{"a":"é😀"}'))).toBe('{"a":"é😀"}')
  })

  it('turns each byte that is not UTF-8 into a lone surrogate, so the walk refuses it', () => {
    const raw = Buffer.concat([Buffer.from('["a'), Buffer.from([0xed, 0xa0, 0x80, 0xff]), Buffer.from('é"]')])
    const text = decodeJsonBytes(raw)
    expect(text).toBe('["a\udced\udca0\udc80\udcffé"]')
    expect(findJsonHygieneIssue(JSON.parse(text))).toEqual({ reason: 'surrogate', path: [0], inKey: false })
    // Overlong and truncated sequences too.
    expect(decodeJsonBytes(Buffer.from([0xc0, 0xaf, 0x41, 0xe2, 0x82]))).toBe('\udcc0\udcafA\udce2\udc82')
  })
})

describe('jsonHygieneError', () => {
  it('is a 400 naming the path, keys shortened and made printable', () => {
    const err = jsonHygieneError({ reason: 'nul', path: ['input', 'x'.repeat(100), 'k\u0000'], inKey: true })
    expect(err.status).toBe(400)
    expect(err.code).toBe('SCHED_ERR_JSON_UNSUPPORTED')
    expect(err.errors).toEqual([
      {
        path: `body.input.${'x'.repeat(63)}….k\ufffd`,
        message: 'has a key that holds a NUL character (\\u0000)',
      },
    ])
    expect(fieldPath('query', ['a', 0])).toBe('query.a.0')
  })
})

describe('findJsonHygieneIssueInText', () => {
  it('answers as the walk does, from the text when it can', () => {
    const cases: unknown[] = [
      { a: 'x', b: [1, { c: 'y' }] },
      nest(32),
      nest(33),
      { s: 'brackets in strings [[[[{{{{ \\" ]]]' },
      { s: '[['.repeat(40) },
      { a: 'nul\u0000' },
      { 'k\u0000': 1 },
      { a: 'x\ud800' },
      { a: '😀', b: 'pair escaped' },
      ['\\u0000 is only text here'],
    ]
    for (const value of cases) {
      const text = JSON.stringify(value)
      expect(findJsonHygieneIssueInText(text, JSON.parse(text)), text.slice(0, 80)).toEqual(
        findJsonHygieneIssue(value),
      )
    }
    // Escaped surrogates and a raw lone one, as a client may write them.
    for (const text of ['{"a":"\\ud800"}', '{"a":"\\uD83D\\uDE00"}', '{"a":"\ud800"}', '{"a":"\\u0000"}']) {
      expect(findJsonHygieneIssueInText(text, JSON.parse(text)), text).toEqual(
        findJsonHygieneIssue(JSON.parse(text)),
      )
    }
  })
})
