import { describe, expect, it } from 'vitest'
import { uuidv7, uuidv7Floor } from '../src/index.ts'

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const bytesOf = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex')
/** The 32-bit counter (RFC 9562 §6.2 method 1): rand_a's 12 bits, then 20 bits after the variant. */
const counterOf = (id: string) => {
  const b = bytesOf(id)
  return (
    ((b[6]! & 0x0f) * 2 ** 28 +
      b[7]! * 2 ** 20 +
      (b[8]! & 0x3f) * 2 ** 14 +
      b[9]! * 2 ** 6 +
      (b[10]! >> 2)) >>>
    0
  )
}

describe('uuidv7', () => {
  it('lays out RFC 9562: 48-bit ms, version 7, variant 10', () => {
    const ms = Date.UTC(2030, 0, 1, 12, 34, 56, 789)
    for (let i = 0; i < 600; i++) {
      const id = uuidv7(ms + i)
      expect(id).toMatch(FORMAT)
      const b = bytesOf(id)
      expect(b.readUIntBE(0, 6)).toBe(ms + i)
      expect(b[6]! >> 4).toBe(7)
      expect(b[8]! >> 6).toBe(0b10)
    }
  })

  it('takes the current time by default', () => {
    const before = Date.now()
    const id = uuidv7()
    const after = Date.now()
    const ms = bytesOf(id).readUIntBE(0, 6)
    expect(ms).toBeGreaterThanOrEqual(before)
    expect(ms).toBeLessThanOrEqual(after)
  })

  it('sorts by time, and within one millisecond in the order made (across pool refills)', () => {
    const ms = Date.UTC(2031, 5, 1)
    const ids: string[] = []
    for (let t = 0; t < 5; t++) for (let i = 0; i < 700; i++) ids.push(uuidv7(ms + t))
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    // The counter starts below 2^31 on each new millisecond and counts up by one within it.
    expect(counterOf(ids[0]!)).toBeLessThan(2 ** 31)
    expect(counterOf(ids[1]!)).toBe(counterOf(ids[0]!) + 1)
    expect(counterOf(ids[700]!)).toBeLessThan(2 ** 31)
  })

  it('gives an id made with an earlier time its own time, leaving later ids in order', () => {
    const ms = Date.UTC(2032, 0, 1)
    const late = uuidv7(ms + 10)
    const early = uuidv7(ms)
    const after = uuidv7(ms + 10)
    expect(bytesOf(early).readUIntBE(0, 6)).toBe(ms)
    expect(early < late).toBe(true)
    expect(late < after).toBe(true)
  })

  it('is random past the time and counter', () => {
    const ms = Date.UTC(2033, 0, 1)
    const tails = new Set(Array.from({ length: 1000 }, () => uuidv7(ms).slice(-10)))
    expect(tails.size).toBe(1000)
  })
})

describe('uuidv7Floor', () => {
  it('is the smallest id of its millisecond', () => {
    const ms = Date.UTC(2030, 6, 1, 8)
    expect(uuidv7Floor(ms)).toMatch(FORMAT)
    for (let i = 0; i < 300; i++) {
      expect(uuidv7Floor(ms) <= uuidv7(ms)).toBe(true)
      expect(uuidv7(ms - 1) < uuidv7Floor(ms)).toBe(true)
      expect(uuidv7(ms + 1) > uuidv7Floor(ms)).toBe(true)
    }
    expect(uuidv7Floor(-5)).toBe('00000000-0000-7000-8000-000000000000')
  })
})
