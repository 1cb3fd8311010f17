import {
  AppError,
  type FieldError,
  literalHost,
  type Step,
  stepSecretRefs,
  uuidv7,
  type Workflow,
  type WorkflowCreate,
  type WorkflowPatch,
} from '@punctual/core'
import {
  createTenantSecretsRepo,
  createWorkflowsRepo,
  type DbExecutor,
  isForeignKeyViolation,
  isUniqueViolation,
  type WorkflowRow,
} from '@punctual/db'
import type { ExecutionQueue } from '@punctual/queue'
import type { FastifyBaseLogger } from 'fastify'
import type { Principal } from '../plugins/auth.ts'
import { auditChange } from './audit-change.ts'

/**
 * The secret rules of an http step (core step-secrets.ts): every `secrets` placeholder names a secret, and a
 * step that uses one keeps a literal authority (scheme and host written out, no placeholder, no `@`).
 */
function secretErrors(step: Extract<Step, { type: 'http' }>, i: number): FieldError[] {
  const refs = stepSecretRefs(step)
  const errors = refs.invalid.map((e) => ({ path: `body.steps.${i}.${e.path}`, message: e.message }))
  if (refs.names.length > 0 && literalHost(step.url) === null) {
    errors.push({
      path: `body.steps.${i}.url`,
      message: `step '${step.name}' uses a secret, so its url must start with a literal scheme://host/ (no placeholder and no @ before the first /, ? or #)`,
    })
  }
  return errors
}

/** The secrets the steps refer to (what workflow_secret_refs keeps for the workflow). */
export function secretNamesOf(steps: readonly Step[]): string[] {
  const names = new Set<string>()
  for (const step of steps) if (step.type === 'http') for (const n of stepSecretRefs(step).names) names.add(n)
  return [...names].sort()
}

/**
 * Checks the schema cannot express: unique step names, http URLs that are absolute http(s) URLs, and the
 * secret rules (secretErrors).
 */
export function assertStepsValid(steps: Step[]): void {
  const errors: FieldError[] = []
  const names = new Set<string>()
  steps.forEach((step, i) => {
    if (names.has(step.name))
      errors.push({ path: `body.steps.${i}.name`, message: `'${step.name}' is used by an earlier step` })
    names.add(step.name)
    if (step.type === 'http') {
      // Placeholders are resolved at run time; check the URL with each one replaced by a plain token.
      const probe = step.url.replace(/\{\{[^}]*\}\}/g, 'x')
      let url: URL | undefined
      try {
        url = new URL(probe)
      } catch {
        url = undefined
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        errors.push({ path: `body.steps.${i}.url`, message: 'must be an absolute http:// or https:// URL' })
      }
      errors.push(...secretErrors(step, i))
    }
  })
  if (errors.length > 0) {
    throw new AppError(
      'SCHED_ERR_WORKFLOW_INVALID',
      errors.map((e) => `${e.path} ${e.message}`).join('; '),
      errors,
    )
  }
}

function nameTaken(err: unknown, name: string): never {
  if (isUniqueViolation(err)) {
    throw new AppError('SCHED_ERR_NAME_TAKEN', `A workflow named '${name}' already exists in this tenant`, [
      { path: 'body.name', message: 'is already used in this tenant' },
    ])
  }
  throw err
}

export interface WorkflowServiceDeps {
  db: DbExecutor
  /** Where a workflow's maxConcurrency is enforced (Redis): written inside the workflow's transaction. */
  queue: Pick<ExecutionQueue, 'setWorkflowCap' | 'removeWorkflowCap'>
  now: () => Date
  log: FastifyBaseLogger
}

/** Writes the row's cap to Redis before COMMIT: Redis down → QueueError (503) → the transaction rolls back. */
async function writeCap(queue: WorkflowServiceDeps['queue'], row: WorkflowRow): Promise<void> {
  await queue.setWorkflowCap({
    workflowId: row.id,
    tenant: row.tenant,
    version: row.version,
    maxConcurrency: row.maxConcurrency,
  })
}

async function removeWorkflow(
  { db, queue, now, log }: WorkflowServiceDeps,
  p: Principal,
  id: string,
): Promise<void> {
  let deleted: boolean
  try {
    deleted = await db.transaction(async (tx) => {
      const gone = await createWorkflowsRepo(tx).delete(p.tenant, id)
      if (gone) await auditChange(tx, p, { type: 'workflow', id }, 'workflow.deleted', now(), {})
      return gone
    })
  } catch (err) {
    if (isForeignKeyViolation(err)) {
      throw new AppError(
        'SCHED_ERR_IN_USE',
        'Schedules or triggers still use this workflow; delete them first',
      )
    }
    throw err
  }
  if (!deleted) throw new AppError('SCHED_ERR_NOT_FOUND', `No workflow ${id}`)
  // After COMMIT, best effort: a cap left behind by a Redis outage caps nothing (the workflow is gone)
  // and the reconciler drops caps whose workflow Postgres no longer has.
  await queue.removeWorkflowCap(id).catch((err) => {
    log.warn({ err, workflowId: id }, 'could not drop the cap of a deleted workflow; the reconciler will')
  })
}

export function createWorkflowService({ db, queue, now, log }: WorkflowServiceDeps) {
  return {
    async create(p: Principal, body: WorkflowCreate): Promise<WorkflowRow> {
      assertStepsValid(body.steps)
      const at = now()
      return db
        .transaction(async (tx) => {
          const row = await createWorkflowsRepo(tx).insert({
            id: uuidv7(),
            tenant: p.tenant,
            name: body.name,
            description: body.description ?? null,
            steps: body.steps,
            timeoutMs: body.timeoutMs ?? null,
            maxConcurrency: body.maxConcurrency ?? null,
            retryFrom: body.retryFrom ?? 'failed_step',
            createdAt: at,
            updatedAt: at,
          })
          await createTenantSecretsRepo(tx).replaceWorkflowRefs(p.tenant, row.id, secretNamesOf(body.steps))
          // Only a capped workflow needs Redis at create; an uncapped one has nothing there to write.
          if (row.maxConcurrency !== null) await writeCap(queue, row)
          await auditChange(tx, p, { type: 'workflow', id: row.id }, 'workflow.created', at, {
            name: row.name,
          })
          return row
        })
        .catch((err) => nameTaken(err, body.name))
    },
    async update(p: Principal, id: string, patch: WorkflowPatch, replace: boolean): Promise<WorkflowRow> {
      if (patch.steps) assertStepsValid(patch.steps)
      return db.transaction(async (tx) => {
        const txRepo = createWorkflowsRepo(tx)
        const current = await txRepo.get(p.tenant, id, { forUpdate: true })
        if (!current) throw new AppError('SCHED_ERR_NOT_FOUND', `No workflow ${id}`)
        const at = now()
        const row = await txRepo
          .update(p.tenant, id, {
            ...(patch.name !== undefined && { name: patch.name }),
            ...(patch.steps !== undefined && { steps: patch.steps }),
            ...((patch.description !== undefined || replace) && { description: patch.description ?? null }),
            ...((patch.timeoutMs !== undefined || replace) && { timeoutMs: patch.timeoutMs ?? null }),
            ...((patch.maxConcurrency !== undefined || replace) && {
              maxConcurrency: patch.maxConcurrency ?? null,
            }),
            ...((patch.retryFrom !== undefined || replace) && {
              retryFrom: patch.retryFrom ?? 'failed_step',
            }),
            version: current.version + 1,
            updatedAt: at,
          })
          .catch((err) => nameTaken(err, patch.name ?? current.name))
        if (patch.steps)
          await createTenantSecretsRepo(tx).replaceWorkflowRefs(p.tenant, id, secretNamesOf(patch.steps))
        if (row!.maxConcurrency !== current.maxConcurrency) await writeCap(queue, row!)
        await auditChange(tx, p, { type: 'workflow', id }, 'workflow.updated', at, {
          fields: Object.keys(patch),
          replace,
          version: row!.version,
        })
        return row!
      })
    },
    remove: (p: Principal, id: string) => removeWorkflow({ db, queue, now, log }, p, id),
  }
}
export type WorkflowService = ReturnType<typeof createWorkflowService>

export function toWorkflowDto(row: WorkflowRow): Workflow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    steps: row.steps as Record<string, unknown>[],
    timeoutMs: row.timeoutMs,
    maxConcurrency: row.maxConcurrency,
    retryFrom: row.retryFrom,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  }
}
