import { sql } from 'drizzle-orm'
import {
  check,
  foreignKey,
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { workflows } from './workflows.ts'

/**
 * Tenant secrets (`/api/secrets`, referenced by http steps as `{{secrets.NAME}}`): the value sealed (core
 * secret-box, v2) bound to its tenant and name, so a sealed value copied onto another row does not open there.
 * Read only by workers, at run time.
 */
export const tenantSecrets = pgTable(
  'tenant_secrets',
  {
    /** UUIDv7: the list's cursor. */
    id: uuid('id').primaryKey(),
    tenant: text('tenant').notNull(),
    name: text('name').notNull(),
    valueCiphertext: text('value_ciphertext').notNull(),
    /** Lower-case host names, `*.suffix` wildcards or IP addresses; null: any host. */
    allowedHosts: text('allowed_hosts').array(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  },
  (t) => [
    uniqueIndex('tenant_secrets_tenant_name_uq').on(t.tenant, t.name),
    index('tenant_secrets_tenant_id_idx').on(t.tenant, t.id),
    check('tenant_secrets_name_ck', sql`${t.name} ~ '^[A-Z][A-Z0-9_]{0,63}$'`),
  ],
)

/**
 * Which secrets each workflow's steps refer to, parsed from the steps when the workflow is written: a secret
 * is not deleted while a row here names it (409). The secret need not exist (the step then fails when run).
 */
export const workflowSecretRefs = pgTable(
  'workflow_secret_refs',
  {
    tenant: text('tenant').notNull(),
    workflowId: uuid('workflow_id').notNull(),
    secretName: text('secret_name').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workflowId, t.secretName] }),
    index('workflow_secret_refs_tenant_name_idx').on(t.tenant, t.secretName),
    foreignKey({
      name: 'workflow_secret_refs_workflow_fk',
      columns: [t.tenant, t.workflowId],
      foreignColumns: [workflows.tenant, workflows.id],
    }).onDelete('cascade'),
  ],
)

/**
 * A tenant's outbound signing secret (Standard Webhooks signatures of http step requests), created on first
 * use. After a rotation the previous one keeps signing until `previous_expires_at` (24 h). Both sealed, bound
 * to the tenant and their column.
 */
export const tenantSigningSecrets = pgTable('tenant_signing_secrets', {
  tenant: text('tenant').primaryKey(),
  secretCiphertext: text('secret_ciphertext').notNull(),
  previousSecretCiphertext: text('previous_secret_ciphertext'),
  previousExpiresAt: timestamp('previous_expires_at', { withTimezone: true, mode: 'date' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
  rotatedAt: timestamp('rotated_at', { withTimezone: true, mode: 'date' }),
})
