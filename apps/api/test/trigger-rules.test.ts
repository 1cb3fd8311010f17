// The pure checks of a trigger write (services/trigger-rules.ts), alone. The quota checks need the tenant's
// locked usage row and are tested with real writes in quotas.test.ts; the 400/422 answers in triggers.test.ts.
import { AppError } from '@punctual/core'
import { describe, expect, it } from 'vitest'
import {
  assertEventTypeValid,
  assertFilterValid,
  assertTemplateValid,
  triggerRuleErrors,
} from '../src/services/trigger-rules.ts'

describe('triggerRuleErrors', () => {
  it('requires eventType on an event trigger (when asked) and refuses the webhook-only fields', () => {
    expect(
      triggerRuleErrors({ scheme: 'github', rateLimitPerMinute: 5 }, 'event', { requireEventType: true }),
    ).toEqual([
      { path: 'body.eventType', message: 'is required for an event trigger' },
      { path: 'body.rateLimitPerMinute', message: 'is only for webhook triggers' },
      { path: 'body.scheme', message: 'is only for webhook triggers' },
    ])
    expect(triggerRuleErrors({}, 'event', { requireEventType: false })).toEqual([])
  })

  it('takes an eventType on a webhook trigger, and refuses a null one on an event trigger', () => {
    expect(triggerRuleErrors({ eventType: 'push' }, 'webhook', { requireEventType: true })).toEqual([])
    expect(triggerRuleErrors({ eventType: null }, 'webhook', { requireEventType: false })).toEqual([])
    expect(triggerRuleErrors({ eventType: null }, 'event', { requireEventType: false })).toEqual([
      { path: 'body.eventType', message: 'is required for an event trigger' },
    ])
  })
})

describe('assertEventTypeValid and assertTemplateValid (422)', () => {
  const refusal = (fn: () => void) => {
    try {
      fn()
    } catch (e) {
      return e as AppError
    }
    return undefined
  }

  it('refuses bad glob syntax, naming body.eventType', () => {
    expect(refusal(() => assertEventTypeValid('order.*'))).toBeUndefined()
    expect(refusal(() => assertEventTypeValid(null))).toBeUndefined()
    const err = refusal(() => assertEventTypeValid('order..created'))
    expect(err?.code).toBe('SCHED_ERR_EVENT_TYPE_INVALID')
    expect(err?.errors).toEqual([
      { path: 'body.eventType', message: 'segments between dots must not be empty' },
    ])
  })

  it('refuses a template by the trigger type, naming each spot', () => {
    expect(refusal(() => assertTemplateValid({ a: '{{body.x}}' }, 'webhook'))).toBeUndefined()
    expect(refusal(() => assertTemplateValid(null, 'event'))).toBeUndefined()
    const err = refusal(() => assertTemplateValid({ a: '{{body.x}}', b: ['{{type}}', '{{input}}'] }, 'event'))
    expect(err?.code).toBe('SCHED_ERR_TEMPLATE_INVALID')
    expect(err?.errors?.map((e) => e.path)).toEqual(['body.inputTemplate.a', 'body.inputTemplate.b.1'])
  })

  it('is safe on a body that failed its schema', () => {
    for (const body of [null, 'text', 42, []]) {
      expect(triggerRuleErrors(body, 'event', { requireEventType: true })).toEqual(
        Array.isArray(body) ? [{ path: 'body.eventType', message: 'is required for an event trigger' }] : [],
      )
    }
  })
})

describe('assertFilterValid', () => {
  it('accepts no filter and a valid one, and refuses a malformed one naming each /filter pointer', () => {
    expect(() => assertFilterValid(undefined)).not.toThrow()
    expect(() => assertFilterValid(null)).not.toThrow()
    expect(() => assertFilterValid({ status: ['paid'] })).not.toThrow()
    let err: unknown
    try {
      assertFilterValid({ status: 'paid' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('SCHED_ERR_FILTER_INVALID')
    expect((err as AppError).errors?.[0]?.path).toMatch(/^\/filter\/status/)
  })
})
