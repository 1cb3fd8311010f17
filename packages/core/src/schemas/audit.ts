import { type Static, Type } from 'typebox'
import { DateTime, Nullable, PageQuery } from './common.ts'

export const AuditEntry = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'UUIDv7: id order is time order' }),
    at: DateTime,
    actor: Type.String({
      description:
        "who: the token's `sub`; `apikey:<id>` for an API key; `webhook:<ip>` for a failed webhook verification (no token); `system` for the system's own acts (chain.stopped)",
    }),
    tenant: Type.String(),
    action: Type.String({
      description: [
        '`<target>.<verb>`: workflow.created|updated|deleted, schedule.created|updated|deleted|paused|resumed,',
        'trigger.created|updated|deleted|secret_rotated, apikey.created|revoked, secret.created|updated|deleted,',
        'signing_secret.rotated, schedule.triggered (a manual run),',
        'execution.cancelled, execution.redriven, webhook.verification_failed, chain.stopped (a chain of',
        'system events looped back onto itself more than 10 times in a row; target: the trigger not started)',
      ].join(' '),
    }),
    targetType: Type.String({
      description: 'workflow, schedule, trigger, apikey, execution, secret or signing_secret',
    }),
    targetId: Nullable(Type.String()),
    details: Type.Record(Type.String(), Type.Unknown(), {
      description:
        'what changed (e.g. `fields` and the new `version` of an update); never secrets or request bodies',
    }),
  },
  { description: 'One audit log entry' },
)
export type AuditEntry = Static<typeof AuditEntry>

export const AuditListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false })
