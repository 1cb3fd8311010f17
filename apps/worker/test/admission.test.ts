import { describe, expect, it } from 'vitest'
import { admissionDecision } from '../src/maintenance/admission.ts'

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
})
