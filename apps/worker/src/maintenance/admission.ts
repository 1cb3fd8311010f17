import type { Logger } from 'pino'

export interface LoadSample {
  cpuPercent: number
  eventLoopLagMs: number
  /** How long the sample covers (ms). */
  windowMs?: number
}

export interface LoadLimits {
  maxCpuPercent: number
  maxEventLoopLagMs: number
  /**
   * A sample covering less than this decides nothing (the first heartbeat right after start covers a few ms:
   * its CPU figure is noise). Default 0.
   */
  minWindowMs?: number
}

/**
 * Admission control: a worker over its CPU or event-loop-lag limit stops claiming executions; it claims again
 * only once both are back under 80 % of their limits (hysteresis, so it does not flap at the boundary).
 */
export function admissionDecision(
  sample: LoadSample,
  limits: LoadLimits,
  paused: boolean,
): 'pause' | 'resume' | 'keep' {
  if ((sample.windowMs ?? Number.POSITIVE_INFINITY) < (limits.minWindowMs ?? 0)) return 'keep'
  const over = sample.cpuPercent > limits.maxCpuPercent || sample.eventLoopLagMs > limits.maxEventLoopLagMs
  const clear =
    sample.cpuPercent <= limits.maxCpuPercent * 0.8 && sample.eventLoopLagMs <= limits.maxEventLoopLagMs * 0.8
  if (!paused && over) return 'pause'
  if (paused && clear) return 'resume'
  return 'keep'
}

/**
 * Applies admission control to the runner at a heartbeat: over its CPU or event-loop-lag limit the worker
 * stops claiming executions until it recovers; fire claiming goes on (fires wait in the queue for a worker
 * with room). Only a running worker is paused or resumed.
 */
export function applyAdmission(
  sample: LoadSample,
  limits: LoadLimits,
  runner: { readonly paused: boolean; pause(): void; resume(): void },
  running: boolean,
  logger: Logger,
): void {
  const decision = admissionDecision(sample, limits, runner.paused)
  if (running && decision === 'pause') {
    logger.warn(sample, 'over the load limit: pausing execution claiming')
    runner.pause()
  } else if (running && decision === 'resume') {
    logger.info(sample, 'back under the load limit: claiming executions again')
    runner.resume()
  }
}
