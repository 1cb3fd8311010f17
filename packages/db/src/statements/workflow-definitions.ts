import type { Sql } from 'postgres'

export interface WorkflowDefinition {
  id: string
  version: number
  steps: unknown[]
  timeoutMs: number | null
}

/** The steps of these workflows at their current version (the runner caches them by id and version). */
export async function loadWorkflowDefinitions(
  sql: Sql,
  ids: readonly string[],
): Promise<WorkflowDefinition[]> {
  if (ids.length === 0) return []
  const rows = await sql<{ id: string; version: number; steps: unknown[]; timeout_ms: number | null }[]>`
    select id, version, steps, timeout_ms from workflows where id = any(${ids as string[]}::uuid[])`
  return rows.map((r) => ({ id: r.id, version: r.version, steps: r.steps, timeoutMs: r.timeout_ms }))
}
