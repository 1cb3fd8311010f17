export * from './common.ts'
export * from './execution.ts'
export * from './schedule.ts'
export * from './workflow.ts'
