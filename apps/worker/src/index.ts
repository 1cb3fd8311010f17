export { loadWorkerConfig, type WorkerConfig } from './config.ts'
export { createWorker, type WorkerState } from './lifecycle.ts'
