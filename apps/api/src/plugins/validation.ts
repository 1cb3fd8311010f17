import { type FieldError, fieldPath, MAX_FIELD_ERRORS } from '@punctual/core'
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv'
import type { DataValidationCxt } from 'ajv/dist/types/index.js'
import addFormatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// ajv-formats is CommonJS; under ESM its plugin is the default export's default.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv

const common: Options = {
  discriminator: true, // step unions report the branch named by `type`
  strict: false,
  useDefaults: false, // defaults are applied by the services, so PATCH never invents fields
  removeAdditional: false, // unknown fields are errors, not silently dropped
}

export type AjvIssue = Pick<ErrorObject, 'instancePath' | 'keyword' | 'message' | 'params'>

/**
 * Field errors as a problem body lists them: one entry per failing field with a readable path, the branches of
 * a union merged into one entry. Holds at most MAX_FIELD_ERRORS + 1 entries: the extra one only tells that
 * there were more than can be listed (`full` is then true and further issues are ignored).
 */
export class FieldErrorList {
  readonly entries: FieldError[] = []
  private readonly seen = new Set<string>()
  private readonly unions = new Map<string, { entry: FieldError; types: string[]; values: string[] }>()

  constructor(private readonly context: string) {}

  get full(): boolean {
    return this.entries.length > MAX_FIELD_ERRORS
  }

  add(issue: AjvIssue): void {
    if (this.full) return
    const segments = issue.instancePath.split('/').filter(Boolean)
    let message = issue.message ?? 'is invalid'
    if (issue.keyword === 'required') segments.push(String(issue.params['missingProperty']))
    else if (issue.keyword === 'additionalProperties') {
      segments.push(String(issue.params['additionalProperty']))
      message = 'is not a known property'
    } else if (issue.keyword === 'discriminator') {
      message = 'type must be one of the known step types (http, delay)'
    } else if (issue.keyword === 'enum' && Array.isArray(issue.params['allowedValues'])) {
      message = `must be one of ${issue.params['allowedValues'].join(', ')}`
    } else if (issue.keyword === 'anyOf' || issue.keyword === 'oneOf') return
    const path = fieldPath(this.context, segments)
    if (issue.keyword === 'type' || issue.keyword === 'const') {
      // A union fails in each of its branches: one entry naming the alternatives (`must be object or null`,
      // `must be one of "full", "none"`; the allowed values say more than their type).
      const existing = this.unions.get(path)
      const union = existing ?? { entry: { path, message }, types: [], values: [] }
      const list = issue.keyword === 'type' ? union.types : union.values
      const name =
        issue.keyword === 'type' ? String(issue.params['type']) : JSON.stringify(issue.params['allowedValue'])
      if (!list.includes(name)) list.push(name)
      union.entry.message =
        union.values.length > 1
          ? `must be one of ${union.values.join(', ')}`
          : `must be ${(union.values.length === 1 ? union.values : union.types).join(' or ')}`
      if (existing) return
      this.unions.set(path, union)
      this.entries.push(union.entry)
      return
    }
    const key = `${path}|${message}`
    if (this.seen.has(key)) return
    this.seen.add(key)
    this.entries.push({ path, message })
  }

  /** The entries, or one naming the whole part when the issues named nothing. */
  list(): FieldError[] {
    return this.entries.length > 0 ? this.entries : [{ path: this.context, message: 'is invalid' }]
  }
}

/** Ajv's issues as field errors (at most MAX_FIELD_ERRORS + 1 of them). */
export function validationErrors(context: string, issues: readonly AjvIssue[]): FieldError[] {
  const list = new FieldErrorList(context)
  for (const issue of issues) {
    list.add(issue)
    if (list.full) break
  }
  return list.list()
}

/** What a failed validation hands to the error handler: the field errors, already bounded. */
export interface SchemaValidationError extends Error {
  fieldErrors: FieldError[]
}

type Schema = Record<string, unknown>
/** Where a value sits in the data: Ajv's validation context, so that errors carry the full instancePath. */
interface DataContext {
  instancePath: string
  parentData: unknown
  parentDataProperty: string | number
  rootData: unknown
}

// Keywords that make a schema more than "an object of properties" or "an array of items": such a schema is
// validated as a whole (a leaf), except a discriminated union, which is followed into the branch its tag names.
const COMPOSITE = [
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  'if',
  '$ref',
  '$dynamicRef',
  'discriminator',
  'dependentSchemas',
  'dependencies',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'prefixItems',
  'additionalItems',
  'contains',
]
// Keywords whose errors can grow with the data: a leaf holding one is validated in stop-at-first-error mode.
const ITERATING = new Set([
  'items',
  'prefixItems',
  'additionalItems',
  'contains',
  'patternProperties',
  'additionalProperties',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'dependentSchemas',
  '$ref',
  '$dynamicRef',
])
const ANNOTATIONS = new Set([
  'description',
  'title',
  'default',
  'examples',
  '$comment',
  'readOnly',
  'writeOnly',
])

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const has = (o: object, key: string) => Object.hasOwn(o, key)
const omit = (schema: Schema, keys: string[]): Schema =>
  Object.fromEntries(Object.entries(schema).filter(([k]) => !keys.includes(k)))
const escapePointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1')

/** Whether the schema's errors are bounded by the schema's own size, whatever the data. */
function isBounded(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return true
  for (const [key, value] of Object.entries(schema)) {
    if (ITERATING.has(key) && value !== true) return false
    if (key === 'properties' || key === '$defs' || key === 'definitions') {
      if (!Object.values(value as object).every(isBounded)) return false
    } else if (typeof value === 'object' && !ANNOTATIONS.has(key) && key !== 'enum' && key !== 'const') {
      if (!isBounded(value)) return false
    }
  }
  return true
}

/** A schema that accepts every value (`{}`, `Type.Unknown()`): nothing to list below it. */
function acceptsAnything(schema: unknown): boolean {
  if (schema === true) return true
  return isObject(schema) && Object.keys(schema).every((k) => ANNOTATIONS.has(k))
}

/**
 * Lists the field errors of data that failed validation, at most MAX_FIELD_ERRORS + 1 of them, without ever
 * building the full list (Ajv's allErrors has no cap: a 600 KB body could make a 61 MB answer). It walks the
 * schema along the data: objects property by property, arrays item by item, a discriminated union into the
 * branch its tag names, and validates each leaf with a validator of its own; it stops as soon as the list is
 * full. A leaf whose errors are bounded by its schema (a string, an enum, a union of scalars) lists all of
 * them; another (a record, a nested array under a union) lists its first.
 */
class ErrorLister {
  private readonly leaves = new WeakMap<object, ValidateFunction>()
  private readonly shells = new WeakMap<object, ValidateFunction>()
  private readonly patterns = new WeakMap<object, [RegExp, unknown][]>()

  constructor(
    private readonly firstError: Ajv,
    private readonly allErrors: Ajv,
  ) {}

  list(schema: unknown, data: unknown, cxt: DataContext, out: FieldErrorList): void {
    if (out.full || acceptsAnything(schema)) return
    if (isObject(schema) && !COMPOSITE.some((k) => has(schema, k))) {
      if (schema['type'] === 'object' && isObject(data)) {
        this.object(schema, data, cxt, out)
        return
      }
      if (schema['type'] === 'array' && Array.isArray(data) && isObject(schema['items'])) {
        this.array(schema, data, cxt, out)
        return
      }
    }
    const branch = isObject(schema) && isObject(data) ? this.branchOf(schema, data) : undefined
    if (branch) {
      this.shell(schema as Schema, ['discriminator', 'oneOf', 'anyOf', 'mapping'], data, cxt, out)
      this.list(branch, data, cxt, out)
      return
    }
    this.leaf(schema, data, cxt, out)
  }

  private object(schema: Schema, data: Record<string, unknown>, cxt: DataContext, out: FieldErrorList) {
    this.shell(schema, ['properties', 'patternProperties', 'additionalProperties'], data, cxt, out)
    const properties = (schema['properties'] ?? {}) as Record<string, unknown>
    const patterns = this.patternsOf(schema)
    const additional = schema['additionalProperties']
    const child = (key: string): DataContext => ({
      instancePath: `${cxt.instancePath}/${escapePointer(key)}`,
      parentData: data,
      parentDataProperty: key,
      rootData: cxt.rootData,
    })
    // In Ajv's order: unknown properties, then declared ones, then those matching a pattern.
    if (additional !== undefined && additional !== true) {
      for (const key of Object.keys(data)) {
        if (out.full) return
        if (has(properties, key) || patterns.some(([re]) => re.test(key))) continue
        if (additional === false) {
          out.add({
            instancePath: cxt.instancePath,
            keyword: 'additionalProperties',
            params: { additionalProperty: key },
            message: 'must NOT have additional properties',
          })
        } else this.list(additional, data[key], child(key), out)
      }
    }
    for (const key of Object.keys(properties)) {
      if (out.full) return
      if (has(data, key)) this.list(properties[key], data[key], child(key), out)
    }
    const checked = patterns.filter(([, sub]) => !acceptsAnything(sub))
    if (checked.length === 0) return
    for (const key of Object.keys(data)) {
      for (const [re, sub] of checked) {
        if (out.full) return
        if (re.test(key)) this.list(sub, data[key], child(key), out)
      }
    }
  }

  private array(schema: Schema, data: unknown[], cxt: DataContext, out: FieldErrorList) {
    this.shell(schema, ['items'], data, cxt, out)
    for (let i = 0; i < data.length && !out.full; i++) {
      this.list(
        schema['items'],
        data[i],
        {
          instancePath: `${cxt.instancePath}/${i}`,
          parentData: data,
          parentDataProperty: i,
          rootData: cxt.rootData,
        },
        out,
      )
    }
  }

  /** For a discriminated union, the branch that the data's tag names, if exactly one does. */
  private branchOf(schema: Schema, data: Record<string, unknown>): unknown {
    const name = (schema['discriminator'] as { propertyName?: unknown } | undefined)?.propertyName
    const branches = schema['oneOf']
    if (typeof name !== 'string' || !Array.isArray(branches)) return undefined
    const tag = data[name]
    const matching = branches.filter((b) => {
      const property = isObject(b) && isObject(b['properties']) ? b['properties'][name] : undefined
      if (!isObject(property)) return false
      return has(property, 'const')
        ? property['const'] === tag
        : Array.isArray(property['enum']) && property['enum'].includes(tag)
    })
    return matching.length === 1 ? matching[0] : undefined
  }

  /** The schema's own keywords without those that descend into the data (type, required, min/max counts). */
  private shell(schema: Schema, descending: string[], data: unknown, cxt: DataContext, out: FieldErrorList) {
    let validate = this.shells.get(schema)
    if (!validate) {
      validate = this.allErrors.compile(omit(schema, descending))
      this.shells.set(schema, validate)
    }
    this.run(validate, data, cxt, out)
  }

  private leaf(schema: unknown, data: unknown, cxt: DataContext, out: FieldErrorList) {
    const key = isObject(schema) ? schema : { schema }
    let validate = this.leaves.get(key)
    if (!validate) {
      validate = (isBounded(schema) ? this.allErrors : this.firstError).compile(schema as Schema)
      if (isObject(schema)) this.leaves.set(schema, validate)
    }
    this.run(validate, data, cxt, out)
  }

  private patternsOf(schema: Schema): [RegExp, unknown][] {
    let list = this.patterns.get(schema)
    if (!list) {
      list = Object.entries((schema['patternProperties'] ?? {}) as Record<string, unknown>).map(
        ([source, sub]) => [new RegExp(source, 'u'), sub],
      )
      this.patterns.set(schema, list)
    }
    return list
  }

  private run(validate: ValidateFunction, data: unknown, cxt: DataContext, out: FieldErrorList) {
    if (validate(data, { ...cxt, dynamicAnchors: {} } as DataValidationCxt)) return
    for (const issue of validate.errors ?? []) {
      out.add(issue)
      if (out.full) return
    }
  }
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
        schema,
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
