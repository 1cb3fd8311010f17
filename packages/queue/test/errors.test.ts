import { ErrorCodes } from '@punctual/core'
import { ReplyError } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { isRedisUnavailableError, QueueError, QueueErrorCodes, toQueueError } from '../src/errors.ts'
import { REDIS_TIMEOUTS, reconnectDelayMs } from '../src/redis.ts'

describe('queue errors', () => {
  it('every queue code maps to an app error code with a status', () => {
    for (const [code, { appCode }] of Object.entries(QueueErrorCodes)) {
      expect(ErrorCodes[appCode], code).toBeDefined()
    }
    const err = new QueueError('QUEUE_ERR_REDIS_UNAVAILABLE', 'down')
    expect(err).toMatchObject({
      code: 'SCHED_ERR_DEPENDENCY_DOWN',
      status: 503,
      queueCode: 'QUEUE_ERR_REDIS_UNAVAILABLE',
    })
    expect(err.message).toBe('Redis is unavailable: down')
  })

  it('classifies client-side failures as Redis unavailable', () => {
    for (const message of [
      "Stream isn't writeable and enableOfflineQueue options is false",
      'Command timed out',
      'Connection is closed.',
    ]) {
      const err = toQueueError(new Error(message))
      expect(isRedisUnavailableError(err)).toBe(true)
      expect(err.cause).toBeInstanceOf(Error)
    }
  })

  it('classifies Redis replies by their error code', () => {
    expect(
      isRedisUnavailableError(toQueueError(new ReplyError('LOADING Redis is loading the dataset'))),
    ).toBe(true)
    expect(isRedisUnavailableError(toQueueError(new ReplyError('READONLY You can not write')))).toBe(true)
    const bug = toQueueError(
      new ReplyError('ERR user_script:1: Script attempted to access nonexistent global'),
    )
    expect(bug.queueCode).toBe('QUEUE_ERR_SCRIPT_FAILED')
    expect(bug.status).toBe(500)
    const same = new QueueError('QUEUE_ERR_INVALID_INPUT')
    expect(toQueueError(same)).toBe(same)
  })

  it('reconnects forever with a capped backoff', () => {
    for (const attempt of [1, 2, 5, 10, 50, 10_000]) {
      const delay = reconnectDelayMs(attempt)
      expect(delay).toBeGreaterThan(0)
      expect(delay).toBeLessThanOrEqual(REDIS_TIMEOUTS.maxReconnectDelayMs)
    }
    expect(reconnectDelayMs(1)).toBeLessThanOrEqual(100)
  })
})
