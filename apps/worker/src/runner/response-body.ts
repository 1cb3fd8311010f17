import { STEP_BODY_LIMIT_BYTES } from '@punctual/core'

/** Response bytes read for `steps.<name>.body.*` placeholders; the history keeps STEP_BODY_LIMIT_BYTES. */
export const MAX_READ_BODY_BYTES = 1024 * 1024

export interface ReadBody {
  text: string
  truncated: boolean
  value: unknown
  /** Bytes read: the whole body, or just past MAX_READ_BODY_BYTES when it was longer. */
  bytes: number
}

/**
 * The first 4 KiB as text (cut at a UTF-8 boundary) and, for placeholders, the body parsed when JSON. With
 * `mask`, secret values are masked in the whole body first (a value across the 4 KiB cut is masked too).
 */
export async function readBody(
  body: AsyncIterable<Buffer> & { destroy?: (err?: Error) => unknown },
  contentType: string | string[] | undefined,
  mask?: (text: string) => string,
): Promise<ReadBody> {
  const chunks: Buffer[] = []
  let size = 0
  let complete = true
  for await (const chunk of body) {
    chunks.push(chunk)
    size += chunk.length
    if (size > MAX_READ_BODY_BYTES) {
      complete = false
      break // leaving the loop destroys the stream: the rest is never read
    }
  }
  const read = Buffer.concat(chunks)
  const all = mask ? Buffer.from(mask(read.toString('utf8')), 'utf8') : read
  let end = Math.min(all.length, STEP_BODY_LIMIT_BYTES)
  // Do not cut a multi-byte character: back up to the start of the one the limit falls into.
  if (end < all.length) while (end > 0 && (all[end]! & 0xc0) === 0x80) end--
  const text = all.subarray(0, end).toString('utf8')
  const whole = complete ? all.toString('utf8') : null
  let value: unknown = whole
  const type = Array.isArray(contentType) ? contentType[0] : contentType
  if (whole !== null && type && /[/+]json\b/i.test(type)) {
    try {
      value = JSON.parse(whole)
    } catch {
      // Not JSON after all: placeholders see the text.
    }
  }
  return { text, truncated: all.length > end, value, bytes: all.length }
}
