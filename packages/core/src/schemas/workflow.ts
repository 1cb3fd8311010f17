import { type Static, Type } from 'typebox'
import { DateTime, JsonObject, Nullable, Uuid } from './common.ts'

const StepName = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' })

export const HttpStep = Type.Object(
  {
    name: StepName,
    type: Type.Literal('http'),
    method: Type.Union(
      ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((m) => Type.Literal(m)),
    ),
    url: Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'http(s) URL; may use {{path}} placeholders',
    }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    body: Type.Optional(Type.Unknown({ description: 'any JSON value, sent as JSON' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000, default: 30000 })),
    retryableStatuses: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Integer({ minimum: 100, maximum: 599 }),
          Type.String({ pattern: '^[1-5]xx$', description: 'a whole class, e.g. "5xx"' }),
        ]),
        {
          maxItems: 100,
          description:
            'Statuses that fail the step *retryably* (default [408, 425, 429, "5xx"]); every other non-2xx status is a permanent failure: the execution is dead at once. Timeouts and connection errors are always retryable.',
        },
      ),
    ),
  },
  { additionalProperties: false },
)

export const DelayStep = Type.Object(
  {
    name: StepName,
    type: Type.Literal('delay'),
    ms: Type.Integer({ minimum: 0, maximum: 7 * 24 * 3_600_000 }),
  },
  { additionalProperties: false },
)

/** A discriminated union: Ajv (discriminator: true) reports the errors of the branch named by `type` only. */
export const Step = Type.Unsafe<Static<typeof HttpStep> | Static<typeof DelayStep>>({
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [HttpStep, DelayStep],
})
export type Step = Static<typeof Step>

/** Where a later attempt starts: at the first step without a recorded success (default), or over. */
export const RetryFrom = Type.Union([Type.Literal('failed_step'), Type.Literal('start')], {
  description:
    '"failed_step" (default): a later attempt (a retry, or a run taken over after a lost lease) resumes at the first step without a recorded success; "start": every attempt runs every step',
})
export type RetryFrom = Static<typeof RetryFrom>

const workflowFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  steps: Type.Array(Step, { minItems: 1, maxItems: 100 }),
  timeoutMs: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3_600_000 }))),
  maxConcurrency: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description:
          'Executions of this workflow running at once across all workers (a slot is held from the claim of an attempt to its end or lease expiry); null or absent: no cap',
      }),
    ),
  ),
  retryFrom: Type.Optional(RetryFrom),
}

export const WorkflowCreate = Type.Object(workflowFields, { additionalProperties: false })
export type WorkflowCreate = Static<typeof WorkflowCreate>
export const WorkflowPatch = Type.Partial(WorkflowCreate, { additionalProperties: false, minProperties: 1 })
export type WorkflowPatch = Static<typeof WorkflowPatch>

export const Workflow = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    description: Nullable(Type.String()),
    steps: Type.Array(JsonObject),
    timeoutMs: Nullable(Type.Integer()),
    maxConcurrency: Nullable(Type.Integer()),
    retryFrom: RetryFrom,
    version: Type.Integer(),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { description: 'A workflow: an ordered list of steps' },
)
export type Workflow = Static<typeof Workflow>
