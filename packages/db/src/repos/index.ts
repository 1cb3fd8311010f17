export * from './executor.ts'
export * from './schedules.ts'
export * from './workflows.ts'
