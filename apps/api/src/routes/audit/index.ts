import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuditEntry, AuditListQuery, Page } from '@punctual/core'
import { type AuditRow, createAuditRepo } from '@punctual/db'
import { decodeCursor, sizedPage } from '../../services/cursor.ts'
import { errors } from '../route-helpers.ts'

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createAuditRepo(app.deps.db)

  app.get(
    '',
    {
      config: { minRole: 'admin' },
      schema: {
        tags: ['audit'],
        description: [
          "Who did what in the token's tenant, newest first (admin only; viewer and editor get 403).",
          'Each entry is written in the same transaction as the change it records.',
        ].join(' '),
        querystring: AuditListQuery,
        response: { 200: Page(AuditEntry), ...errors },
      },
    },
    async (request) => {
      const rows = await repo.page(request.user.tenant, {
        limit: request.query.limit ?? 50,
        before: decodeCursor(request.query.cursor),
      })
      return sizedPage(rows, toAuditDto)
    },
  )
}

function toAuditDto(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: row.actor,
    tenant: row.tenant,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    details: row.details,
  }
}

export default auditRoutes
