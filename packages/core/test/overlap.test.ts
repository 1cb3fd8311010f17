import { describe, expect, it } from 'vitest'
import { overlapDecision } from '../src/index.ts'

describe('overlapDecision', () => {
  const running = [{ id: 'a', status: 'running' as const }]
  const finished = [
    { id: 'x', status: 'succeeded' as const },
    { id: 'y', status: 'dead' as const },
  ]
  it('runs when nothing earlier is unfinished, whatever the policy', () => {
    for (const policy of ['skip', 'allow', 'buffer_one', 'cancel_previous'] as const) {
      expect(overlapDecision(policy, [], 0)).toEqual({ action: 'run', cancelIds: [] })
      expect(overlapDecision(policy, finished, 0)).toEqual({ action: 'run', cancelIds: [] })
    }
  })
  it('skip records the fire as skipped', () => {
    expect(overlapDecision('skip', running, 0)).toEqual({ action: 'skip', cancelIds: [] })
    expect(overlapDecision('skip', [{ id: 'q', status: 'queued' }], 0).action).toBe('skip')
    expect(overlapDecision('skip', [{ id: 'r', status: 'retrying' }], 0).action).toBe('skip')
  })
  it('allow runs alongside', () => {
    expect(overlapDecision('allow', running, 3)).toEqual({ action: 'run', cancelIds: [] })
  })
  it('buffer_one keeps one waiting fire and skips a second', () => {
    expect(overlapDecision('buffer_one', running, 0)).toEqual({ action: 'buffer', cancelIds: [] })
    expect(overlapDecision('buffer_one', running, 1)).toEqual({ action: 'skip', cancelIds: [] })
    // The waiting fire is about to start: it still holds the one slot.
    expect(overlapDecision('buffer_one', [], 1)).toEqual({ action: 'skip', cancelIds: [] })
  })
  it('cancel_previous cancels every unfinished earlier execution, then runs', () => {
    const earlier = [
      { id: 'a', status: 'running' as const },
      { id: 'b', status: 'retrying' as const },
      { id: 'c', status: 'succeeded' as const },
      { id: 'd', status: 'queued' as const },
    ]
    expect(overlapDecision('cancel_previous', earlier, 0)).toEqual({
      action: 'cancel_previous_then_run',
      cancelIds: ['a', 'b', 'd'],
    })
  })
})
