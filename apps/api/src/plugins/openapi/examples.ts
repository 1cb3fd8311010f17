/**
 * Examples of the main routes' bodies, by operation (`METHOD path`): `request` goes on the JSON request body,
 * `response` on the given success status. Each is a real exchange's shape; the lint test checks every
 * example against its schema (redocly's no-invalid-media-type-examples).
 */
export interface OperationExamples {
  request?: object
  response?: { status: string; value: object }
}

const WORKFLOW_ID = '0193f2a0-6c1e-7b3a-9f10-2b4c6d8e0a12'
const SCHEDULE_ID = '0193f2a1-0a4b-7c2d-8e3f-4a5b6c7d8e9f'
const EXECUTION_ID = '0193f2a2-1b2c-7d3e-8f4a-5b6c7d8e9fa0'
const TRIGGER_ID = '0193f2a3-2c3d-7e4f-8a5b-6c7d8e9fa0b1'

const schedule = {
  id: SCHEDULE_ID,
  workflowId: WORKFLOW_ID,
  name: 'nightly-report',
  cronExpression: '0 30 2 * * *',
  timezone: 'America/New_York',
  enabled: true,
  startDate: null,
  endDate: null,
  maxExecutions: null,
  input: { report: 'daily' },
  priority: 5,
  retryPolicy: {
    maxAttempts: 3,
    initialDelayMs: 1000,
    backoffMultiplier: 2,
    maxDelayMs: 60000,
    jitter: 'full',
  },
  overlapPolicy: 'skip',
  misfirePolicy: 'fire_once',
  catchupWindowMs: 60000,
  jitterMs: 0,
  metadata: { team: 'finance' },
  state: 'active',
  version: 1,
  nextRunAt: '2026-03-09T06:30:00.000Z',
  pausedNote: null,
  executionCount: 0,
  missedCount: 0,
  createdAt: '2026-03-08T15:04:05.000Z',
  updatedAt: '2026-03-08T15:04:05.000Z',
}

export const EXAMPLES: Record<string, OperationExamples> = {
  'POST /api/workflows': {
    request: {
      name: 'send-report',
      steps: [
        {
          name: 'build',
          type: 'http',
          method: 'POST',
          url: 'https://reports.example.org/build',
          body: { report: '{{input.report}}' },
        },
        { name: 'cool-down', type: 'delay', ms: 1000 },
      ],
      timeoutMs: 300000,
    },
  },
  'POST /api/schedules': {
    request: {
      workflowId: WORKFLOW_ID,
      name: 'nightly-report',
      cronExpression: '0 30 2 * * *',
      timezone: 'America/New_York',
      input: { report: 'daily' },
      retryPolicy: { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 60000 },
      metadata: { team: 'finance' },
    },
    response: { status: '201', value: { ...schedule, warnings: [] } },
  },
  'GET /api/schedules/{id}': { response: { status: '200', value: schedule } },
  'POST /api/cron/preview': {
    request: {
      expression: '30 2 * * *',
      timezone: 'America/New_York',
      count: 3,
      from: '2026-03-07T12:00:00Z',
    },
    response: {
      status: '200',
      value: {
        nextRuns: ['2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z'],
        wildcard: false,
      },
    },
  },
  'POST /api/triggers': {
    request: { type: 'webhook', workflowId: WORKFLOW_ID, name: 'github-push', scheme: 'github' },
  },
  'POST /api/events': {
    request: { type: 'order.created', data: { orderId: 'A-1042', total: 99.5 }, id: 'evt-A-1042' },
    response: { status: '202', value: { eventId: 'evt-A-1042', executions: [EXECUTION_ID] } },
  },
  'POST /api/schedules/{id}/trigger': {
    request: { input: { report: 'adhoc' } },
    response: { status: '202', value: { executionId: EXECUTION_ID } },
  },
  'POST /api/executions/redrive': {
    request: { filter: { workflowId: WORKFLOW_ID, errorClass: 'retryable' }, dryRun: true },
  },
  'GET /api/triggers/{id}': {
    response: {
      status: '200',
      value: {
        id: TRIGGER_ID,
        workflowId: WORKFLOW_ID,
        name: 'github-push',
        type: 'webhook',
        eventType: null,
        filter: null,
        scheme: 'github',
        inputTemplate: null,
        rateLimitPerMinute: null,
        retryPolicy: { maxAttempts: 5 },
        priority: 5,
        enabled: true,
        url: `/hooks/${TRIGGER_ID}`,
        previousSecretExpiresAt: null,
        version: 1,
        createdAt: '2026-03-08T15:04:05.000Z',
        updatedAt: '2026-03-08T15:04:05.000Z',
      },
    },
  },
}
