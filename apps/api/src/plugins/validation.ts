import { Ajv, type Options } from 'ajv'
import type { DataValidationCxt } from 'ajv/dist/types/index.js'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import { type DataContext, ErrorLister, type Schema } from './error-lister.ts'
import { FieldErrorList, type SchemaValidationError } from './field-errors.ts'

// ajv-formats is CommonJS; under ESM its plugin is the default export's default.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv

const common: Options = {
  discriminator: true, // step unions report the branch named by `type`
  strict: false,
  useDefaults: false, // defaults are applied by the services, so PATCH never invents fields
  removeAdditional: false, // unknown fields are errors, not silently dropped
}

/**
 * Validates in Ajv's stop-at-first-error mode, so a valid request costs one pass and an invalid one never
 * builds an unbounded error list; only when the data is invalid, ErrorLister lists up to MAX_FIELD_ERRORS
 * (+1 to tell there were more). Bodies are validated strictly (no type coercion); query strings and params are
 * coerced from strings.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const ajv = (opts: Options) => addFormats(new Ajv({ ...common, ...opts }))
  const strictFirst = ajv({ coerceTypes: false, allErrors: false })
  const strict = {
    first: strictFirst,
    lister: new ErrorLister(strictFirst, ajv({ coerceTypes: false, allErrors: true })),
  }
  const coercingFirst = ajv({ coerceTypes: 'array', allErrors: false })
  const coercing = {
    first: coercingFirst,
    lister: new ErrorLister(coercingFirst, ajv({ coerceTypes: 'array', allErrors: true })),
  }
  return ({ schema, httpPart }) => {
    const mode = httpPart === 'body' ? strict : coercing
    const validate = mode.first.compile(schema as Schema)
    const context = httpPart === 'querystring' ? 'query' : (httpPart ?? 'body')
    const check = (data: unknown, cxt?: Partial<DataContext>) => {
      if (validate(data, cxt as DataValidationCxt)) return true
      const out = new FieldErrorList(context)
      mode.lister.list(
        mode.lister.plan(schema),
        data,
        {
          instancePath: '',
          parentData: cxt?.parentData,
          parentDataProperty: cxt?.parentDataProperty ?? '',
          rootData: data,
        },
        out,
      )
      const fieldErrors = out.list()
      const error: SchemaValidationError = Object.assign(
        new Error(fieldErrors.map((e) => `${e.path} ${e.message}`).join('; ')),
        { fieldErrors },
      )
      return { error }
    }
    // Fastify hands Ajv functions (those with a schemaEnv) the request as parent, so coercion can reach the root.
    return Object.assign(check, { schemaEnv: validate.schemaEnv }) as unknown as ReturnType<
      FastifySchemaCompiler<unknown>
    >
  }
}
