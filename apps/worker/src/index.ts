export { createEventBus, type EventBus, type EventBusConfig } from './bus/index.ts'
export { loadWorkerConfig, type WorkerConfig } from './config.ts'
export { createWorker, type WorkerState } from './lifecycle.ts'
