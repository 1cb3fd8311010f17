import { QueueError } from './errors.ts'

/** Input checks shared by the queue operations: a bad argument is a bug in the caller, caught before Redis. */

export function invalid(detail: string): never {
  throw new QueueError('QUEUE_ERR_INVALID_INPUT', detail)
}

export function checkId(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) invalid(`${name} must be a non-empty string`)
}

/** A safe integer in [min, max]. */
export function checkInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    invalid(`${name} ${value} is not an integer in ${min}..${max}`)
  }
}

export function unexpected(script: string, reply: unknown): never {
  throw new QueueError('QUEUE_ERR_UNEXPECTED_REPLY', `${script} answered ${JSON.stringify(reply)}`)
}
