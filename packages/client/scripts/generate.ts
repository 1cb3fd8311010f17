// `pnpm --filter @punctual/client generate`: rewrites src/schema.ts from the API's OpenAPI document.
import { writeFileSync } from 'node:fs'
import { generatedFile, generatedSource } from './source.ts'

writeFileSync(generatedFile, await generatedSource())
console.log(`wrote ${generatedFile.pathname}`)
