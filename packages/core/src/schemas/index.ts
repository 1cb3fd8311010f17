export * from './common.ts'
export * from './schedule.ts'
export * from './workflow.ts'
