import { Value } from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { DEFAULT_RETRY_POLICY, RetryPolicy, SCHEDULE_DEFAULTS, ScheduleCreate } from '../src/index.ts'

describe('SCHEDULE_DEFAULTS', () => {
  it('holds the contract defaults (http-api.md, "Schedules": the one place they are written as values)', () => {
    expect(SCHEDULE_DEFAULTS).toEqual({
      timezone: 'UTC',
      enabled: true,
      startDate: null,
      endDate: null,
      maxExecutions: null,
      input: {},
      priority: 5,
      retryPolicy: {
        maxAttempts: 3,
        initialDelayMs: 1000,
        backoffMultiplier: 2,
        maxDelayMs: 300000,
        jitter: 'full',
      },
      overlapPolicy: 'skip',
      misfirePolicy: 'fire_once',
      catchupWindowMs: 60000,
      jitterMs: 0,
      metadata: {},
    })
    expect(SCHEDULE_DEFAULTS.retryPolicy).toBe(DEFAULT_RETRY_POLICY)
  })

  it('is what the create schema shows as its defaults', () => {
    const filled = Value.Default(ScheduleCreate, {
      workflowId: '00000000-0000-7000-8000-000000000001',
      name: 'n',
      cronExpression: '* * * * *',
      retryPolicy: {},
    }) as Record<string, unknown>
    const withSchemaDefault = Object.entries(ScheduleCreate.properties).filter(
      ([, schema]) => 'default' in schema,
    )
    expect(withSchemaDefault.map(([field]) => field).sort()).toEqual(
      [
        'timezone',
        'enabled',
        'priority',
        'overlapPolicy',
        'misfirePolicy',
        'catchupWindowMs',
        'jitterMs',
      ].sort(),
    )
    for (const [field] of withSchemaDefault) {
      expect(filled[field], field).toEqual(SCHEDULE_DEFAULTS[field as keyof typeof SCHEDULE_DEFAULTS])
    }
    expect(filled.retryPolicy).toEqual(DEFAULT_RETRY_POLICY)
    expect(Value.Default(RetryPolicy, {})).toEqual(DEFAULT_RETRY_POLICY)
  })

  it('cannot be changed in place (created rows share its empty objects)', () => {
    expect(Object.isFrozen(SCHEDULE_DEFAULTS)).toBe(true)
    expect(Object.isFrozen(SCHEDULE_DEFAULTS.input)).toBe(true)
    expect(Object.isFrozen(SCHEDULE_DEFAULTS.metadata)).toBe(true)
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true)
    expect(() => {
      ;(SCHEDULE_DEFAULTS.input as Record<string, unknown>).x = 1
    }).toThrow(TypeError)
  })
})
