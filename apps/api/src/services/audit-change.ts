import { type AuditAction, createAuditRepo, type DbExecutor } from '@punctual/db'
import type { Principal } from '../plugins/auth.ts'

/**
 * The audit entry of a change made by an API caller, written with the caller's transaction (`tx`) so it
 * commits or rolls back with the change. The actor is the token's `sub` (`apikey:<id>` for an API key).
 */
export function auditChange(
  tx: DbExecutor,
  p: Principal,
  target: {
    type: 'workflow' | 'schedule' | 'trigger' | 'apikey' | 'execution' | 'secret' | 'signing_secret'
    id: string
  },
  action: AuditAction,
  at: Date,
  details: Record<string, unknown>,
) {
  return createAuditRepo(tx).record({
    tenant: p.tenant,
    actor: p.sub,
    action,
    targetType: target.type,
    targetId: target.id,
    details,
    at,
  })
}
