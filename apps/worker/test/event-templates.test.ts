import { compileInputTemplate, TriggerMatcher } from '@punctual/core'
import type { EventSubjects, EventTriggerRow, ExecutionRow } from '@punctual/db'
import { describe, expect, it } from 'vitest'
import { planEventStarts } from '../src/bus/index.ts'

// System events start event triggers in the worker (bus/plan.ts): a trigger's inputTemplate is resolved there
// against the event (`{{data.*}}` the execution as the API shows it, `{{type}}`, `{{id}}` the event id).

const execution = (id: string, extra: Partial<ExecutionRow> = {}): ExecutionRow => ({
  id,
  tenant: 'acme',
  kind: 'manual',
  scheduleId: null,
  triggerId: null,
  workflowId: 'wf-a',
  scheduledFor: new Date(0),
  dueAt: null,
  enqueuedAt: null,
  startedAt: null,
  finishedAt: new Date(0),
  status: 'succeeded',
  attempt: 2,
  priority: 5,
  workerId: 'w',
  error: null,
  retryOf: null,
  input: { order: { id: 42 } },
  steps: [],
  retryPolicy: null,
  availableAt: null,
  held: false,
  overlapCheck: false,
  cancelRequestedAt: null,
  causedByExecutionId: null,
  chainDepth: 0,
  workflowVersion: null,
  redrivenAt: null,
  createdAt: new Date(0),
  ...extra,
})

const trigger = (id: string, inputTemplate: Record<string, unknown> | null): EventTriggerRow => ({
  id,
  workflowId: 'wf-b',
  eventType: 'execution.*',
  filter: null,
  inputTemplate,
  template: inputTemplate ? compileInputTemplate(inputTemplate, 'event') : undefined,
  retryPolicy: null,
  priority: 5,
  version: 1,
})

const subjects = (row: ExecutionRow): EventSubjects => ({
  pending: new Set(['1']),
  executions: new Map([[row.id, row]]),
  schedules: new Map(),
  chains: new Map(),
})

describe('system events and inputTemplate', () => {
  it('starts with the template resolved against the event; a trigger without one gets the data', () => {
    const shaped = trigger('tr-1', {
      execution: '{{data.id}}',
      attempt: '{{data.attempt}}',
      orderId: '{{data.input.order.id}}',
      event: '{{type}}',
      ref: 'from {{id}}',
    })
    const plain = trigger('tr-2', null)
    const plan = planEventStarts({
      events: [
        { streamId: '1-0', outboxId: '1', tenant: 'acme', type: 'execution.succeeded', subjectId: 'e1' },
      ],
      subjects: subjects(execution('e1')),
      matchers: new Map([['acme', new TriggerMatcher([shaped, plain])]]),
      newId: () => 'new',
    })
    const [a, b] = plan.requests[0]!.starts
    expect(a!.input).toEqual({
      execution: 'e1',
      attempt: 2,
      orderId: 42,
      event: 'execution.succeeded',
      ref: 'from execution.succeeded:e1',
    })
    expect(b!.input).toMatchObject({ id: 'e1', status: 'succeeded', input: { order: { id: 42 } } })
  })

  it('a template that would make an input over 1 MiB starts nothing for that trigger, and says which', () => {
    const list = Array.from({ length: 4 }, () => '{{data.input}}')
    const big = trigger('tr-big', { list })
    const plain = trigger('tr-ok', null)
    const plan = planEventStarts({
      events: [
        { streamId: '1-0', outboxId: '1', tenant: 'acme', type: 'execution.succeeded', subjectId: 'e1' },
      ],
      subjects: subjects(execution('e1', { input: { blob: 'x'.repeat(300_000) } })),
      matchers: new Map([['acme', new TriggerMatcher([big, plain])]]),
      newId: () => 'new',
    })
    expect(plan.plans[0]!.inputTooLarge).toEqual(['tr-big'])
    expect(plan.requests[0]!.starts.map((s) => s.triggerId)).toEqual(['tr-ok'])
  })
})
