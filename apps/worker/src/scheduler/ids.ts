import { randomFillSync } from 'node:crypto'

// Random bytes drawn in blocks: one syscall per 256 ids instead of one per id.
const POOL_IDS = 256
const pool = Buffer.alloc(16 * POOL_IDS)
let next = POOL_IDS

/**
 * A UUID v7 (RFC 9562: 48-bit Unix ms timestamp, then random bits), the contract's preferred id: execution ids
 * sort by creation time, which keeps the executions primary key and its cursor pagination append-mostly.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  if (next === POOL_IDS) {
    randomFillSync(pool)
    next = 0
  }
  const b = pool.subarray(16 * next, 16 * next + 16)
  next++
  b.writeUIntBE(nowMs, 0, 6)
  b[6] = (b[6]! & 0x0f) | 0x70
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
