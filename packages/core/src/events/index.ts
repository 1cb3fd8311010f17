export * from './event-type.ts'
export * from './pattern.ts'
export * from './system-events.ts'
export * from './trigger-matcher.ts'
