import type { ErrorCode } from '@punctual/core'

/**
 * Every operation of the OpenAPI document: its operationId, summary and the route-specific error codes it can
 * answer (the codes every route shares — validation, authentication, role, rate limit, body size and type,
 * dependencies down — are added by the route's shape in document.ts). Keyed by `METHOD path` as the document
 * writes it. A route without an entry fails the lint test (summary and operationId missing).
 */
export interface OperationDoc {
  operationId: string
  summary: string
  /** Codes besides the shared ones; each is documented under its status as application/problem+json. */
  errors?: ErrorCode[]
  /**
   * What the document says beyond the route's schema, merged into the operation: headers a hot route reads
   * without validating them (a header schema would be checked on every request), a raw body, a text response.
   */
  document?: { parameters?: object[]; requestBody?: object; responses?: Record<string, object> }
}

const NOT_FOUND: ErrorCode[] = ['SCHED_ERR_NOT_FOUND']
const SCHEDULE_RULES: ErrorCode[] = [
  'SCHED_ERR_CRON_INVALID',
  'SCHED_ERR_TIMEZONE_INVALID',
  'SCHED_ERR_CRON_NEVER_FIRES',
  'SCHED_ERR_DATE_RANGE',
  'SCHED_ERR_WORKFLOW_UNKNOWN',
  'SCHED_ERR_QUOTA_EXCEEDED',
  'SCHED_ERR_NAME_TAKEN',
]
const TRIGGER_RULES: ErrorCode[] = [
  'SCHED_ERR_EVENT_TYPE_INVALID',
  'SCHED_ERR_TEMPLATE_INVALID',
  'SCHED_ERR_NAME_TAKEN',
  'SCHED_ERR_WORKFLOW_UNKNOWN',
  'SCHED_ERR_FILTER_INVALID',
  'SCHED_ERR_QUOTA_EXCEEDED',
]
const WORKFLOW_RULES: ErrorCode[] = ['SCHED_ERR_NAME_TAKEN', 'SCHED_ERR_WORKFLOW_INVALID']

export const OPERATIONS: Record<string, OperationDoc> = {
  'GET /healthz': { operationId: 'getHealth', summary: 'Liveness: the process answers' },
  'GET /readyz': { operationId: 'getReadiness', summary: 'Readiness: Postgres and Redis answer' },
  'GET /metrics': {
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of this API process',
    document: {
      responses: {
        200: {
          description: 'Prometheus text exposition format 0.0.4',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      },
    },
  },
  'POST /hooks/{triggerId}': {
    operationId: 'deliverWebhook',
    summary: 'Receive a signed webhook delivery',
    errors: [
      'SCHED_ERR_WEBHOOK_SIGNATURE',
      'SCHED_ERR_NOT_FOUND',
      'SCHED_ERR_EVENT_TOO_COSTLY',
      'SCHED_ERR_VALIDATION',
    ],
    document: { parameters: hookHeaders(), requestBody: hookBody() },
  },

  'POST /api/workflows': {
    operationId: 'createWorkflow',
    summary: 'Create a workflow',
    errors: WORKFLOW_RULES,
  },
  'GET /api/workflows': { operationId: 'listWorkflows', summary: 'List workflows' },
  'GET /api/workflows/{id}': { operationId: 'getWorkflow', summary: 'Get a workflow', errors: NOT_FOUND },
  'PUT /api/workflows/{id}': {
    operationId: 'replaceWorkflow',
    summary: 'Replace a workflow',
    errors: [...NOT_FOUND, ...WORKFLOW_RULES],
  },
  'PATCH /api/workflows/{id}': {
    operationId: 'updateWorkflow',
    summary: 'Change fields of a workflow',
    errors: [...NOT_FOUND, ...WORKFLOW_RULES],
  },
  'DELETE /api/workflows/{id}': {
    operationId: 'deleteWorkflow',
    summary: 'Delete a workflow no schedule or trigger uses',
    errors: [...NOT_FOUND, 'SCHED_ERR_IN_USE'],
  },

  'GET /api/schedules/optimizer': {
    operationId: 'getOptimizerReport',
    summary: 'Fleet hotspots, suggestions that spread them, execution patterns',
  },
  'POST /api/schedules/optimizer/apply': {
    operationId: 'applyOptimizerSuggestions',
    summary: 'Apply optimizer suggestions as audited schedule updates',
    errors: ['SCHED_ERR_SUGGESTION_INVALID'],
  },
  'GET /api/schedules/stats': { operationId: 'getScheduleStats', summary: "The tenant's schedule figures" },
  'POST /api/schedules/{id}/trigger': {
    operationId: 'triggerSchedule',
    summary: "Run a schedule's workflow now",
    errors: NOT_FOUND,
  },
  'GET /api/schedules/{id}/history': {
    operationId: 'listScheduleHistory',
    summary: "A schedule's executions",
    errors: NOT_FOUND,
  },
  'POST /api/schedules': {
    operationId: 'createSchedule',
    summary: 'Create a schedule',
    errors: SCHEDULE_RULES,
  },
  'GET /api/schedules': { operationId: 'listSchedules', summary: 'List schedules' },
  'GET /api/schedules/{id}': { operationId: 'getSchedule', summary: 'Get a schedule', errors: NOT_FOUND },
  'PUT /api/schedules/{id}': {
    operationId: 'replaceSchedule',
    summary: 'Update a schedule (partial, as PATCH)',
    errors: [...NOT_FOUND, ...SCHEDULE_RULES],
  },
  'PATCH /api/schedules/{id}': {
    operationId: 'updateSchedule',
    summary: 'Update a schedule',
    errors: [...NOT_FOUND, ...SCHEDULE_RULES],
  },
  'DELETE /api/schedules/{id}': {
    operationId: 'deleteSchedule',
    summary: 'Delete a schedule',
    errors: NOT_FOUND,
  },
  'POST /api/schedules/{id}/pause': {
    operationId: 'pauseSchedule',
    summary: 'Pause a schedule',
    errors: [...NOT_FOUND, 'SCHED_ERR_INVALID_STATE'],
  },
  'POST /api/schedules/{id}/resume': {
    operationId: 'resumeSchedule',
    summary: 'Resume a paused schedule',
    errors: [...NOT_FOUND, 'SCHED_ERR_INVALID_STATE', 'SCHED_ERR_CRON_NEVER_FIRES'],
  },
  'GET /api/schedules/{id}/status': {
    operationId: 'getScheduleStatus',
    summary: "A schedule's next runs and last execution",
    errors: NOT_FOUND,
  },

  'POST /api/triggers': { operationId: 'createTrigger', summary: 'Create a trigger', errors: TRIGGER_RULES },
  'GET /api/triggers': { operationId: 'listTriggers', summary: 'List triggers' },
  'GET /api/triggers/{id}': {
    operationId: 'getTrigger',
    summary: 'Get a trigger',
    errors: [...NOT_FOUND, 'SCHED_ERR_SECRET_UNREADABLE'],
  },
  'PUT /api/triggers/{id}': {
    operationId: 'replaceTrigger',
    summary: 'Replace a trigger',
    errors: [...NOT_FOUND, ...TRIGGER_RULES, 'SCHED_ERR_IMMUTABLE_FIELD'],
  },
  'PATCH /api/triggers/{id}': {
    operationId: 'updateTrigger',
    summary: 'Change fields of a trigger',
    errors: [...NOT_FOUND, ...TRIGGER_RULES, 'SCHED_ERR_IMMUTABLE_FIELD'],
  },
  'DELETE /api/triggers/{id}': {
    operationId: 'deleteTrigger',
    summary: 'Delete a trigger',
    errors: NOT_FOUND,
  },
  'POST /api/triggers/{id}/rotate-secret': {
    operationId: 'rotateTriggerSecret',
    summary: "Rotate a webhook trigger's signing secret",
    errors: [...NOT_FOUND, 'SCHED_ERR_INVALID_STATE', 'SCHED_ERR_SECRET_UNREADABLE'],
  },

  'POST /api/cron/preview': {
    operationId: 'previewCron',
    summary: 'The next fire times of a cron expression',
    errors: ['SCHED_ERR_CRON_INVALID', 'SCHED_ERR_TIMEZONE_INVALID'],
  },

  'GET /api/executions': { operationId: 'listExecutions', summary: 'List executions' },
  'GET /api/executions/{id}': { operationId: 'getExecution', summary: 'Get an execution', errors: NOT_FOUND },
  'PATCH /api/executions/{id}': {
    operationId: 'updateExecutionPriority',
    summary: 'Re-prioritise a waiting execution',
    errors: [...NOT_FOUND, 'SCHED_ERR_INVALID_STATE'],
  },
  'POST /api/executions/{id}/cancel': {
    operationId: 'cancelExecution',
    summary: 'Cancel an execution',
    errors: [...NOT_FOUND, 'SCHED_ERR_INVALID_STATE'],
  },
  'POST /api/executions/{id}/retry': {
    operationId: 'retryExecution',
    summary: 'Redrive a dead execution',
    errors: [...NOT_FOUND, 'SCHED_ERR_INVALID_STATE'],
  },
  'POST /api/executions/redrive': {
    operationId: 'redriveExecutions',
    summary: 'Redrive dead executions in bulk',
  },
  'GET /api/queue': { operationId: 'listQueue', summary: "The tenant's waiting executions in order" },
  'GET /api/workers': { operationId: 'listWorkers', summary: 'Live worker processes' },
  'GET /api/me': { operationId: 'getCaller', summary: 'Who the credential acts as (tenant and role)' },
  'GET /api/executions/throughput': {
    operationId: 'getExecutionThroughput',
    summary: 'Executions ended per minute over the last minutes',
  },
  'GET /api/audit': { operationId: 'listAudit', summary: 'The audit log' },
  'POST /api/events': {
    operationId: 'publishEvent',
    summary: 'Publish an event to event triggers',
    errors: ['SCHED_ERR_EVENT_TOO_COSTLY', 'SCHED_ERR_INPUT_TOO_LARGE'],
  },

  'POST /api/api-keys': {
    operationId: 'createApiKey',
    summary: 'Create an API key',
    errors: ['SCHED_ERR_NAME_TAKEN'],
  },
  'GET /api/api-keys': { operationId: 'listApiKeys', summary: 'List API keys' },
  'DELETE /api/api-keys/{id}': {
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    errors: NOT_FOUND,
  },
  'PUT /api/secrets/{name}': { operationId: 'putSecret', summary: 'Create or replace a tenant secret' },
  'DELETE /api/secrets/{name}': {
    operationId: 'deleteSecret',
    summary: 'Delete a tenant secret no workflow uses',
    errors: [...NOT_FOUND, 'SCHED_ERR_IN_USE'],
  },
  'GET /api/secrets': { operationId: 'listSecrets', summary: 'List tenant secrets (names only)' },
  'GET /api/signing-secret': {
    operationId: 'getSigningSecret',
    summary: 'The outbound signing secret',
    errors: ['SCHED_ERR_SECRET_UNREADABLE'],
  },
  'POST /api/signing-secret/rotate': {
    operationId: 'rotateSigningSecret',
    summary: 'Rotate the outbound signing secret',
    errors: ['SCHED_ERR_SECRET_UNREADABLE'],
  },
}

function header(name: string, description: string, example: string) {
  return { in: 'header', name, required: false, description, schema: { type: 'string' }, example }
}

/** The signature headers of each scheme (`standard`: Standard Webhooks; `github`). */
function hookHeaders(): object[] {
  return [
    header(
      'webhook-id',
      '`standard`: the delivery id (deduplicated for 24 h)',
      'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    ),
    header('webhook-timestamp', '`standard`: unix seconds, within 5 minutes of now', '1767225600'),
    header(
      'webhook-signature',
      '`standard`: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, several space-separated allowed',
      'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
    ),
    header(
      'X-Hub-Signature-256',
      '`github`: `sha256=<hex HMAC-SHA256 of the raw body>` keyed with the whole secret',
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    ),
    header(
      'X-GitHub-Delivery',
      '`github`: the delivery id (deduplicated for 24 h)',
      '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    ),
  ]
}

function hookBody(): object {
  return {
    required: true,
    description: 'Any JSON object (at most the body limit), verified over its raw bytes before it is parsed',
    content: {
      'application/json': {
        schema: { type: 'object', additionalProperties: true },
        example: { ref: 'refs/heads/main', after: '6dcb09b5b57875f334f61aebed695e2e4193db5e' },
      },
    },
  }
}
