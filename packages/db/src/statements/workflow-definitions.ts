import type { Sql } from 'postgres'

export interface WorkflowDefinition {
  id: string
  version: number
  steps: unknown[]
  timeoutMs: number | null
  /** Where a later attempt starts: `failed_step` (resume) or `start`. */
  retryFrom: 'failed_step' | 'start'
}

/**
 * The definitions of these workflow versions (the runner caches them by id and version): from
 * workflow_versions, which a trigger on `workflows` fills on every write, so a version a PUT replaced is
 * still there for the executions that first started with it.
 */
export async function loadWorkflowDefinitions(
  sql: Sql,
  wanted: readonly { id: string; version: number }[],
): Promise<WorkflowDefinition[]> {
  if (wanted.length === 0) return []
  const rows = await sql<
    { id: string; version: number; steps: unknown[]; timeout_ms: number | null; retry_from: string }[]
  >`
    select v.workflow_id as id, v.version, v.steps, v.timeout_ms, v.retry_from
      from unnest(${wanted.map((w) => w.id)}::uuid[], ${wanted.map((w) => w.version)}::int[]) as q(id, version)
      join workflow_versions v on v.workflow_id = q.id and v.version = q.version`
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    steps: r.steps,
    timeoutMs: r.timeout_ms,
    retryFrom: r.retry_from === 'start' ? 'start' : 'failed_step',
  }))
}
