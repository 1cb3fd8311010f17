export type {
  ExecutionCancelledEvent,
  ExecutionDeadEvent,
  ExecutionEventBase,
  ExecutionLostEvent,
  ExecutionRetryingEvent,
  ExecutionStartedEvent,
  ExecutionSucceededEvent,
  RunnerBackoffEvent,
  RunnerEventMap,
  RunnerEvents,
  ScheduleCompletedEvent,
} from './events.ts'
export {
  checkedLookup,
  createOutboundAgent,
  type OutboundAgentOptions,
  OutboundBlockedError,
  type OutboundPolicy,
} from './outbound-agent.ts'
export {
  createRunner,
  type Runner,
  type RunnerConfig,
  type RunnerDeps,
  type RunnerState,
} from './runner.ts'
export {
  DEFAULT_STEP_TIMEOUT_MS,
  MAX_READ_BODY_BYTES,
  type RunWorkflowInput,
  type RunWorkflowResult,
  runWorkflowSteps,
} from './steps.ts'
