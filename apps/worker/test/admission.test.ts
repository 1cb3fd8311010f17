import { sleep } from '@punctual/core/testing'
import { describe, expect, it } from 'vitest'
import { admissionDecision } from '../src/maintenance/admission.ts'
import { createProcessMonitor } from '../src/maintenance/heartbeat.ts'

const limits = { maxCpuPercent: 90, maxEventLoopLagMs: 200 }

describe('admission control', () => {
  it('pauses claiming over either limit', () => {
    expect(admissionDecision({ cpuPercent: 95, eventLoopLagMs: 10 }, limits, false)).toBe('pause')
    expect(admissionDecision({ cpuPercent: 10, eventLoopLagMs: 250 }, limits, false)).toBe('pause')
    expect(admissionDecision({ cpuPercent: 89, eventLoopLagMs: 199 }, limits, false)).toBe('keep')
  })

  it('resumes only well under both limits (no flapping at the boundary)', () => {
    expect(admissionDecision({ cpuPercent: 85, eventLoopLagMs: 10 }, limits, true)).toBe('keep')
    expect(admissionDecision({ cpuPercent: 10, eventLoopLagMs: 170 }, limits, true)).toBe('keep')
    expect(admissionDecision({ cpuPercent: 70, eventLoopLagMs: 150 }, limits, true)).toBe('resume')
  })

  it('decides nothing on a sample shorter than the minimum window', () => {
    const short = { ...limits, minWindowMs: 2500 }
    expect(admissionDecision({ cpuPercent: 400, eventLoopLagMs: 900, windowMs: 3 }, short, false)).toBe(
      'keep',
    )
    expect(admissionDecision({ cpuPercent: 5, eventLoopLagMs: 1, windowMs: 3 }, short, true)).toBe('keep')
    expect(admissionDecision({ cpuPercent: 400, eventLoopLagMs: 900, windowMs: 5000 }, short, false)).toBe(
      'pause',
    )
  })

  it('leaves what the process did before a reset out of the next sample', async () => {
    const monitor = createProcessMonitor()
    try {
      const burn = (ms: number) => {
        const until = performance.now() + ms
        while (performance.now() < until) {}
      }
      burn(150) // start-up work
      const before = monitor.sample()
      expect(before.cpuPercent).toBeGreaterThan(20)
      burn(150)
      monitor.reset()
      await sleep(100)
      const after = monitor.sample()
      expect(after.windowMs).toBeGreaterThanOrEqual(90)
      expect(after.cpuPercent).toBeLessThan(50)
    } finally {
      monitor.stop()
    }
  })
})
