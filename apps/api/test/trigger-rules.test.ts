// The pure checks of a trigger write (services/trigger-rules.ts), alone. The quota checks need the tenant's
// locked usage row and are tested with real writes in quotas.test.ts; the 400/422 answers in triggers.test.ts.
import { AppError } from '@punctual/core'
import { describe, expect, it } from 'vitest'
import { assertFilterValid, triggerRuleErrors } from '../src/services/trigger-rules.ts'

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

  it('refuses eventType on a webhook trigger and checks its syntax whatever the type', () => {
    const webhook = triggerRuleErrors({ eventType: 'order.created' }, 'webhook', { requireEventType: true })
    expect(webhook.map((e) => e.path)).toEqual(['body.eventType'])
    expect(webhook[0]!.message).toContain('only for event triggers')
    const syntax = triggerRuleErrors({ eventType: 'order..created' }, undefined, { requireEventType: false })
    expect(syntax.map((e) => e.path)).toEqual(['body.eventType'])
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
