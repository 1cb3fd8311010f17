import { Value } from 'typebox/value'
import { describe, expect, it } from 'vitest'
import {
  Execution,
  ExecutionAccepted,
  ExecutionListQuery,
  ScheduleHistoryQuery,
  StepOutcome,
  TriggerBody,
  WorkerList,
} from '../src/index.ts'

const id = '0195a3c4-7b1e-7c3a-9f00-000000000001'
const t = '2026-03-08T07:00:00.000Z'

const step = {
  name: 'call',
  type: 'http',
  status: 'succeeded',
  statusCode: 200,
  durationMs: 12,
  startedAt: t,
  body: '{"ok":true}',
}
const execution = {
  id,
  kind: 'fire',
  scheduleId: id,
  triggerId: null,
  workflowId: id,
  scheduledFor: t,
  dueAt: t,
  enqueuedAt: t,
  startedAt: t,
  finishedAt: null,
  status: 'running',
  attempt: 1,
  priority: 5,
  workerId: 'w-1',
  error: null,
  retryOf: null,
  input: { a: 1 },
  steps: [step],
  manual: false,
  causedBy: null,
  chainDepth: 0,
}

describe('execution schemas', () => {
  it('accept a contract execution', () => {
    expect(Value.Check(Execution, execution)).toBe(true)
  })
  it('reject unknown kinds and statuses', () => {
    expect(Value.Check(Execution, { ...execution, kind: 'cron' })).toBe(false)
    expect(Value.Check(Execution, { ...execution, status: 'done' })).toBe(false)
    expect(Value.Check(Execution, { ...execution, manual: undefined })).toBe(false)
  })
  it('step outcomes: status, optional statusCode, body of at most 4 KiB', () => {
    expect(
      Value.Check(StepOutcome, {
        name: 'wait',
        type: 'delay',
        status: 'cancelled',
        durationMs: 0,
        startedAt: t,
      }),
    ).toBe(true)
    expect(Value.Check(StepOutcome, { ...step, status: 'failed', error: 'ECONNREFUSED' })).toBe(true)
    expect(Value.Check(StepOutcome, { ...step, status: 'running' })).toBe(false)
    expect(Value.Check(StepOutcome, { ...step, body: 'x'.repeat(4097) })).toBe(false)
    expect(Value.Check(StepOutcome, { ...step, durationMs: -1 })).toBe(false)
  })
  it('list query: the contract filters, nothing else', () => {
    expect(
      Value.Check(ExecutionListQuery, { status: 'dead', scheduleId: id, triggerId: id, limit: 10 }),
    ).toBe(true)
    expect(Value.Check(ExecutionListQuery, { limit: 501 })).toBe(false)
    expect(Value.Check(ExecutionListQuery, { workflow: id })).toBe(false)
    expect(Value.Check(ScheduleHistoryQuery, { status: 'missed', cursor: 'abc' })).toBe(true)
    expect(Value.Check(ScheduleHistoryQuery, { status: 'nope' })).toBe(false)
  })
  it('trigger body and accepted response', () => {
    expect(Value.Check(TriggerBody, {})).toBe(true)
    expect(Value.Check(TriggerBody, { input: { x: 1 } })).toBe(true)
    expect(Value.Check(TriggerBody, { input: 3 })).toBe(false)
    expect(Value.Check(TriggerBody, { other: 1 })).toBe(false)
    expect(Value.Check(ExecutionAccepted, { executionId: id })).toBe(true)
  })
  it('worker list', () => {
    const worker = {
      id: 'w-1',
      host: 'box',
      pid: 42,
      startedAt: t,
      lastSeenAt: t,
      concurrency: 10,
      running: 3,
      cpuPercent: 12.5,
      rssBytes: 100_000_000,
      eventLoopLagMs: 1.2,
      state: 'draining',
    }
    expect(Value.Check(WorkerList, { items: [worker] })).toBe(true)
    expect(Value.Check(WorkerList, { items: [{ ...worker, state: 'stopped' }] })).toBe(false)
  })
})
