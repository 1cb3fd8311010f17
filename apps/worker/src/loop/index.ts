/**
 * What the worker's loops share (the scheduler, the runner, the event bus): capped backoff and the
 * consecutive-failure tracker, a deadline on a Postgres call, a wake-up for sleeping loops, error messages.
 */
export { type Backoff, type BackoffFailure, backoffMs, createBackoff } from './backoff.ts'
export { DbDeadlineError, withDeadline } from './deadline.ts'
export { errorMessage } from './errors.ts'
export { createInflight, type Inflight } from './inflight.ts'
export { abortableSleep, createWakeup, type Wakeup } from './wakeup.ts'
