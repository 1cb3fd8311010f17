import type { Step } from '@punctual/core'
import type { WorkflowDefinition } from '@punctual/db'

export interface RunnableWorkflow {
  id: string
  version: number
  steps: Step[]
  timeoutMs: number | null
}

/**
 * Workflow definitions by id and version. The start statement returns each execution's current workflow
 * version, so a cached definition is used only while it is current; a changed workflow is loaded once.
 * Concurrent misses of one workflow share one query. Bounded (oldest entry out first).
 */
export function createWorkflowCache(load: (ids: string[]) => Promise<WorkflowDefinition[]>, max = 1000) {
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
      let pending = inflight.get(id)
      if (!pending) {
        pending = load([id])
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
            }
            remember(w)
            return w
          })
          .finally(() => inflight.delete(id))
        inflight.set(id, pending)
      }
      // A newer version than the one the start saw is fine: it is what the workflow is now.
      return pending
    },
    get size() {
      return cache.size
    },
  }
}
