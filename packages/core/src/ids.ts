import { randomFillSync } from 'node:crypto'

/**
 * The one id generator: UUID v7 (RFC 9562), the contract's preferred id. Every id the API and the worker make
 * (schedules, workflows, triggers, executions, events, audit entries) comes from here.
 *
 * Layout (RFC 9562 §5.7, with the §6.2 method 1 counter the `uuid` package used before):
 *   bits   0-47  unix_ts_ms        the creation time
 *   bits  48-51  ver = 0b0111
 *   bits  52-63  counter, high 12 bits (rand_a)
 *   bits  64-65  var = 0b10
 *   bits  66-85  counter, low 20 bits
 *   bits 86-127  random
 * Ids sort by creation time, which keeps primary keys and their cursor pagination append-mostly, and lets
 * "created since t" be an id range (uuidv7Floor). Within one millisecond of one process the counter counts up
 * from a random 31-bit start (its top bit clear, so it cannot roll over), so ids made one after the other in
 * the same millisecond still sort in the order they were made: lists ordered by id show a batch of creates in
 * the order it was written.
 */

// Random bytes drawn in blocks: one syscall per 256 ids instead of one per id.
const POOL_IDS = 256
const pool = Buffer.alloc(16 * POOL_IDS)
let next = POOL_IDS
/** The millisecond of the last id made with a time not earlier than every one before, and its counter. */
let lastMs = -1
let counter = 0

/**
 * A UUID v7 of `nowMs` (default: now). Ids made with non-decreasing times sort in the order they were made; an
 * id made with an earlier time than the one before carries its own time (and a random counter).
 */
export function uuidv7(nowMs: number = Date.now()): string {
  if (next === POOL_IDS) {
    randomFillSync(pool)
    next = 0
  }
  const o = 16 * next
  next++
  let ms = nowMs
  let seq: number
  if (ms === lastMs && counter < 0xffffffff) {
    counter++
    seq = counter
  } else {
    // A new millisecond (or an earlier one): a random start, top bit clear.
    seq = pool.readUInt32BE(o + 6) >>> 1
    if (ms > lastMs) {
      lastMs = ms
      counter = seq
    } else if (ms === lastMs) {
      // 2^31 ids in one millisecond: move on to the next one rather than repeat or reorder an id.
      ms = ++lastMs
      counter = seq
    }
  }
  pool.writeUIntBE(ms, o, 6)
  pool[o + 6] = 0x70 | ((seq >>> 28) & 0x0f)
  pool[o + 7] = (seq >>> 20) & 0xff
  pool[o + 8] = 0x80 | ((seq >>> 14) & 0x3f)
  pool[o + 9] = (seq >>> 6) & 0xff
  pool[o + 10] = ((seq << 2) & 0xfc) | (pool[o + 10]! & 0x03)
  const h = pool.toString('hex', o, o + 16)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/**
 * The smallest UUIDv7 of millisecond `ms`: every v7 id made at `ms` or later sorts at or above it, every one
 * made earlier below it. Execution ids are UUIDv7 taken at creation, so "created since t" is an id range on
 * the (tenant, id) or primary-key index instead of a scan of an unindexed created_at.
 */
export function uuidv7Floor(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`
}
