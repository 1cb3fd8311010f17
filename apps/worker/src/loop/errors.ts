import { safeErrorMessage } from '@punctual/core'

/**
 * An error's message for a log line or an event (its name when the message is empty; anything thrown), with
 * what must never be logged left out: a failed query's text and parameters, the values a Postgres error quotes
 * (core safeErrorMessage).
 */
export function errorMessage(err: unknown): string {
  return safeErrorMessage(err)
}
