import type { LeafHits } from './leaf-hits.ts'

/**
 * The PatternIndex's per-instance records (pattern-index.ts): every record carries the stamp of the scope
 * instance it was made in, so that a new instance (or a new match, or one stopped by its work budget) starts
 * from nothing recorded without clearing anything.
 */

/**
 * Whether the instance hit one of a leaf's ids of one kind: through the ids it hit (recorded) when the leaf
 * has many and they are fewer, else entry by entry.
 */
export function anyHit(
  hits: LeafHits<{ inst: number }>,
  kind: number,
  ids: number[],
  idSet: Set<number> | undefined,
  stamps: Float64Array,
  inst: number,
): boolean {
  if (idSet !== undefined && hits.hitLengths[kind]! < ids.length) {
    const list = hits.hitLists[kind]!
    const n = hits.hitLengths[kind]!
    for (let i = 0; i < n; i++) if (idSet.has(list[i]!)) return true
    return false
  }
  for (let i = 0; i < ids.length; i++) if (stamps[ids[i]!] === inst) return true
  return false
}

/** A slot about to record into its scope's current instance: reset when last written in another one. */
export function touch(s: StampedSlot): void {
  const inst = s.scope.inst
  if (s.stamp !== inst) {
    s.stamp = inst
    s.objects = 0
    s.undef = false
    s.present = 0
  }
}

interface StampedSlot {
  scope: { inst: number }
  stamp: number
  objects: number
  undef: boolean
  present: number
}
