export type { App, AppDeps } from './app.ts'
export { buildApp } from './app.ts'
export { loadApiConfig } from './config.ts'
export { openApiDocument } from './openapi-document.ts'
