import { openApiDocument } from '@punctual/api'
import openapiTS, { astToString } from 'openapi-typescript'

/** Where the generated types live (committed; `pnpm --filter @punctual/client generate` rewrites it). */
export const generatedFile = new URL('../src/schema.ts', import.meta.url)

/**
 * The client's types as openapi-typescript writes them from the document the API serves: `paths`,
 * `components`, `operations`, and one named type per component schema (`Schedule`, `Workflow`, …).
 */
export async function generatedSource(): Promise<string> {
  const ast = await openapiTS((await openApiDocument()) as never, {
    rootTypes: true,
    rootTypesNoSchemaPrefix: true,
    // A field with a default is optional in a request body (the server fills it in).
    defaultNonNullable: false,
    alphabetize: true,
  })
  const header =
    "// Generated from the API's OpenAPI document by packages/client/scripts/generate.ts: do not edit.\n" +
    '// Regenerate with `pnpm --filter @punctual/client generate`; a test fails while this file is stale.\n\n'
  return header + astToString(ast)
}
