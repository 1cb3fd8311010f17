import type { StartedExecution } from '@punctual/db'
import type { ClaimedExecution } from '@punctual/queue'
import { describe, expect, it } from 'vitest'
import { eventBase, JobAbort, LeaseLost, newJob, Shutdown } from '../src/runner/job.ts'
import { recordingTable } from './runner-parts.ts'

function claimed(id: string, attempt = 0): ClaimedExecution {
  return {
    id,
    priority: 5,
    scheduledForMs: 1000,
    attempt,
    tenant: 'acme',
    workflowId: 'wf',
    kind: 'manual',
    scheduleId: null,
    meta: null,
    enqueuedAtMs: 1000,
    claim: 1,
    reclaims: 0,
    owner: 'w',
    leaseExpiresAtMs: 31_000,
  }
}

describe('job table', () => {
  it('counts starting and running executions as busy; a slot freed wakes the claim loop once', () => {
    const { table, freed } = recordingTable('w')
    const a = newJob(claimed('a'), 'starting')
    const ahead = newJob(claimed('b'), 'prefetched')
    table.add(a)
    table.add(ahead)
    expect(table.busy).toBe(1)
    expect([...table.jobs.keys()]).toEqual(['a', 'b'])
    table.occupy(ahead)
    expect([ahead.phase, table.busy]).toEqual(['starting', 2])
    table.setPhase(a, 'running')
    expect([table.busy, freed.count]).toEqual([2, 0])
    table.setPhase(a, 'finishing')
    table.setPhase(a, 'finishing')
    expect([table.busy, freed.count]).toEqual([1, 1])
    // Finished but not yet told to Redis: still held (its lease is renewed) until released.
    expect(table.jobs.has('a')).toBe(true)
    table.release(a)
    expect(table.jobs.has('a')).toBe(false)
  })

  it('drops a lost execution once: slot freed, steps aborted with LeaseLost, one lost event', () => {
    const { table, lost, freed } = recordingTable('w')
    const job = newJob(claimed('a'), 'starting')
    table.add(job)
    table.setPhase(job, 'running')
    table.dropLost(job, 'lease-expired')
    table.dropLost(job, 'not-owner')
    expect(job.lost).toBe(true)
    expect(job.controller.signal.reason).toBeInstanceOf(LeaseLost)
    expect([table.busy, freed.count, table.jobs.size]).toEqual([0, 1, 0])
    expect(lost).toEqual([{ id: 'a', workerId: 'w', reason: 'lease-expired' }])
  })

  it('leaves a newer job of the same id alone when an older one is released or dropped', () => {
    const { table } = recordingTable('w')
    const old = newJob(claimed('a'), 'starting')
    table.add(old)
    const again = newJob(claimed('a'), 'starting')
    table.dropLost(old, 'lease-lost')
    table.add(again)
    table.release(old)
    expect(table.jobs.get('a')).toBe(again)
  })

  it('aborts every unfinished execution at stop with Shutdown, not the finished ones', () => {
    const { table } = recordingTable('w')
    const jobs = ['prefetched', 'starting', 'running', 'finishing'].map((phase, i) => {
      const job = newJob(claimed(`j${i}`), phase === 'prefetched' ? 'prefetched' : 'starting')
      table.add(job)
      if (phase !== 'prefetched' && phase !== 'starting')
        table.setPhase(job, phase as 'running' | 'finishing')
      return job
    })
    table.abortUnfinished()
    expect(jobs.map((j) => j.controller.signal.reason instanceof Shutdown)).toEqual([true, true, true, false])
  })

  it('event fields take the started attempt once the row exists', () => {
    const job = newJob(claimed('a', 2), 'starting')
    expect(eventBase(job, 'w')).toEqual({
      id: 'a',
      attempt: 2,
      kind: 'manual',
      tenant: 'acme',
      workflowId: 'wf',
      scheduleId: null,
      workerId: 'w',
    })
    job.row = { attempt: 3 } as StartedExecution
    expect(eventBase(job, 'w').attempt).toBe(3)
  })
})

describe("a job's abort", () => {
  it('keeps the first reason, and a signal made after the abort is aborted with it', () => {
    const abort = new JobAbort()
    expect([abort.aborted, abort.reason]).toEqual([false, undefined])
    const lost = new LeaseLost('lease lost')
    abort.abort(lost)
    abort.abort(new Shutdown())
    expect([abort.aborted, abort.reason]).toEqual([true, lost])
    expect([abort.signal.aborted, abort.signal.reason]).toEqual([true, lost])
  })

  it('fires the abort event on a signal made before the abort', () => {
    const abort = new JobAbort()
    const signal = abort.signal
    const heard: unknown[] = []
    signal.addEventListener('abort', () => heard.push(signal.reason))
    const stop = new Shutdown()
    abort.abort(stop)
    expect(heard).toEqual([stop])
    expect(abort.signal).toBe(signal)
  })
})
