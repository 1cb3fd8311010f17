import { Ajv, type Options } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// ajv-formats is CommonJS; under ESM its plugin is the default export's default.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv

const common: Options = {
  allErrors: true, // report every failing field, not only the first
  discriminator: true, // step unions report the branch named by `type`
  strict: false,
  useDefaults: false, // defaults are applied by the services, so PATCH never invents fields
  removeAdditional: false, // unknown fields are errors, not silently dropped
}

/** Bodies are validated strictly (no type coercion); query strings and params are coerced from strings. */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = addFormats(new Ajv({ ...common, coerceTypes: false }))
  const coercing = addFormats(new Ajv({ ...common, coerceTypes: 'array' }))
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>
  }
}
