import { randomUUID } from 'node:crypto'
import { uuidv7 } from '@punctual/core'
import { triggers } from '@punctual/db'
import { triggerSecretAt } from '../src/services/trigger-secrets.ts'
import { createWorkflow, type TestContext } from './helper.ts'

export type TriggerValues = Partial<typeof triggers.$inferInsert>

/**
 * A trigger row written straight into the file's database (as the trigger API stores it), for the ingestion
 * tests: an event trigger by default, on a new workflow of the tenant unless `workflowId` is given.
 */
export async function insertTrigger(ctx: TestContext, tenant: string, values: TriggerValues = {}) {
  const workflowId = values.workflowId ?? (await createWorkflow(ctx, tenant)).id
  const [row] = await ctx.database.db
    .insert(triggers)
    .values({
      id: uuidv7(),
      tenant,
      name: `trigger-${randomUUID()}`,
      type: 'event',
      eventType: 'order.created',
      ...values,
      workflowId,
    })
    .returning()
  return row!
}

export interface HookTriggerValues extends TriggerValues {
  /** The plain signing secret; sealed with the app's key ring, bound to the row, as the trigger API stores it. */
  secret: string
  previousSecret?: string
}

/** A webhook trigger row with its secrets sealed (`standard` scheme unless given). */
export async function insertHookTrigger(ctx: TestContext, tenant: string, values: HookTriggerValues) {
  const { secret, previousSecret, ...rest } = values
  const box = ctx.app.secretBox
  const id = values.id ?? uuidv7()
  const at = (column: 'secretCiphertext' | 'previousSecretCiphertext') =>
    triggerSecretAt({ id, tenant }, column)
  return insertTrigger(ctx, tenant, {
    id,
    type: 'webhook',
    scheme: 'standard',
    eventType: null,
    secretCiphertext: box.seal(secret, at('secretCiphertext')),
    ...(previousSecret !== undefined && {
      previousSecretCiphertext: box.seal(previousSecret, at('previousSecretCiphertext')),
    }),
    ...rest,
  })
}
