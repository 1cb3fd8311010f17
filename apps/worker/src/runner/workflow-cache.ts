import type { Step } from '@punctual/core'
import type { WorkflowDefinition } from '@punctual/db'

export interface RunnableWorkflow {
  id: string
  version: number
  steps: Step[]
  timeoutMs: number | null
  retryFrom: 'failed_step' | 'start'
}

/**
 * Workflow definitions by id and version. The start statement returns the version each execution is pinned
 * to (the one its first start saw), and that exact version is loaded (workflow_versions keeps every one), so
 * an execution whose workflow was changed between its attempts runs the steps it started with. Concurrent
 * misses of one version share one query. Bounded (oldest entry out first).
 */
export function createWorkflowCache(
  load: (wanted: { id: string; version: number }[]) => Promise<WorkflowDefinition[]>,
  max = 1000,
) {
  const cache = new Map<string, RunnableWorkflow>()
  const inflight = new Map<string, Promise<RunnableWorkflow | null>>()
  const key = (id: string, version: number) => `${id}@${version}`

  function remember(w: RunnableWorkflow) {
    const k = key(w.id, w.version)
    cache.delete(k)
    cache.set(k, w)
    if (cache.size > max) cache.delete(cache.keys().next().value!)
  }

  return {
    /** null: the workflow does not exist (any more). Throws when Postgres cannot be read. */
    async get(id: string, version: number | null): Promise<RunnableWorkflow | null> {
      if (version === null) return null
      const hit = cache.get(key(id, version))
      if (hit) return hit
      const k = key(id, version)
      let pending = inflight.get(k)
      if (!pending) {
        pending = load([{ id, version }])
          .then(([def]) => {
            if (!def) return null
            const w: RunnableWorkflow = {
              id: def.id,
              version: def.version,
              // The API validated them on write; anything else fails the attempt in the step engine.
              steps: (Array.isArray(def.steps) ? def.steps : []).filter(
                (step): step is Step => typeof step === 'object' && step !== null,
              ),
              timeoutMs: def.timeoutMs,
              retryFrom: def.retryFrom,
            }
            remember(w)
            return w
          })
          .finally(() => inflight.delete(k))
        inflight.set(k, pending)
      }
      return pending
    },
    get size() {
      return cache.size
    },
  }
}
