import { sql } from 'drizzle-orm'
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { sqlList } from './sql-lists.ts'

export const apiKeyRoles = ['viewer', 'editor', 'admin'] as const
export type ApiKeyRole = (typeof apiKeyRoles)[number]

/**
 * API keys (`Authorization: Bearer pk_…`): only the SHA-256 of a key is stored, and a request's key is looked
 * up by it (unique index); the key itself is shown once, by the create. A revoked key's row is deleted.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey(),
    tenant: text('tenant').notNull(),
    name: text('name').notNull(),
    role: text('role').$type<ApiKeyRole>().notNull(),
    /** `pk_` + the first 8 characters after it: recognisable in a list, useless to authenticate. */
    prefix: text('prefix').notNull(),
    /** Hex SHA-256 of the whole key. */
    keyHash: text('key_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().default(sql`now()`),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    /** Written at most once a minute (a conditional update), whatever the number of replicas. */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_uq').on(t.keyHash),
    uniqueIndex('api_keys_tenant_name_uq').on(t.tenant, t.name),
    index('api_keys_tenant_id_idx').on(t.tenant, t.id),
    check('api_keys_role_ck', sql`${t.role} in ${sqlList(apiKeyRoles)}`),
    check('api_keys_name_ck', sql`char_length(${t.name}) between 1 and 200`),
  ],
)
