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

/** How the lister handles one subschema: built once per schema object, on the first invalid request. */
type Plan =
  | { kind: 'any' }
  | { kind: 'leaf'; check: ValidateFunction; leaf: ValidateFunction }
  | {
      kind: 'object'
      /** The whole subschema, stop-at-first-error: the cheap test of a child, and the errors of a non-object. */
      check: ValidateFunction
      /** Its own keywords without those that descend into the data (type, required, property counts). */
      shell: ValidateFunction
      properties: Map<string, Plan>
      patterns: [RegExp, Plan][]
      /** false: unknown keys are errors; a plan: they must match it; undefined: anything goes. */
      additional: false | Plan | undefined
    }
  | { kind: 'array'; check: ValidateFunction; shell: ValidateFunction; items: Plan }
  | {
      kind: 'union'
      check: ValidateFunction
      shell: ValidateFunction
      tag: string
      branches: Map<unknown, Plan>
    }

/**
 * Lists the field errors of data that failed validation, at most MAX_FIELD_ERRORS + 1 of them, without ever
 * building the full list (Ajv's allErrors has no cap: a 600 KB body could make a 61 MB answer). It walks the
 * schema along the data: objects property by property, arrays item by item, a discriminated union into the
 * branch its tag names. Each child is first checked with its own compiled validator (no allocation): a valid
 * one is skipped at Ajv's speed, an invalid one is walked in turn; a leaf lists its errors. It stops as soon
 * as the list is full. A leaf whose errors are bounded by its schema (a string, an enum, a union of scalars)
 * lists all of them; another (a record under a union, say) lists its first.
 */
class ErrorLister {
  private readonly plans = new WeakMap<object, Plan>()

  constructor(
    private readonly firstError: Ajv,
    private readonly allErrors: Ajv,
  ) {}

  /** The plan of a schema (`true`, `{}` or annotations only: anything goes). */
  plan(schema: unknown): Plan {
    if (!isObject(schema)) return schema === false ? this.leafPlan(schema) : { kind: 'any' }
    let plan = this.plans.get(schema)
    if (!plan) {
      plan = this.build(schema)
      this.plans.set(schema, plan)
    }
    return plan
  }

  private build(schema: Schema): Plan {
    if (Object.keys(schema).every((k) => ANNOTATIONS.has(k))) return { kind: 'any' }
    const check = this.firstError.compile(schema)
    const composite = COMPOSITE.some((k) => has(schema, k))
    if (!composite && schema['type'] === 'object') {
      const properties = new Map<string, Plan>()
      for (const [key, sub] of Object.entries((schema['properties'] ?? {}) as Record<string, unknown>)) {
        properties.set(key, this.plan(sub))
      }
      const patterns = Object.entries((schema['patternProperties'] ?? {}) as Record<string, unknown>).map(
        ([source, sub]): [RegExp, Plan] => [new RegExp(source, 'u'), this.plan(sub)],
      )
      const additional = schema['additionalProperties']
      return {
        kind: 'object',
        check,
        shell: this.allErrors.compile(
          omit(schema, ['properties', 'patternProperties', 'additionalProperties']),
        ),
        properties,
        patterns,
        additional:
          additional === false
            ? false
            : additional === undefined || additional === true
              ? undefined
              : this.plan(additional),
      }
    }
    if (!composite && schema['type'] === 'array' && isObject(schema['items'])) {
      return {
        kind: 'array',
        check,
        shell: this.allErrors.compile(omit(schema, ['items'])),
        items: this.plan(schema['items']),
      }
    }
    const union = this.unionOf(schema)
    if (union) return { kind: 'union', check, ...union }
    return this.leafPlan(schema, check)
  }

  private leafPlan(schema: Schema | boolean, check?: ValidateFunction): Plan {
    const first = check ?? this.firstError.compile(schema as Schema)
    return {
      kind: 'leaf',
      check: first,
      leaf: isBounded(schema) ? this.allErrors.compile(schema as Schema) : first,
    }
  }

  /** A discriminated union: its tag and the branch each tag value names (a tag naming two is left out). */
  private unionOf(schema: Schema) {
    const tag = (schema['discriminator'] as { propertyName?: unknown } | undefined)?.propertyName
    const branches = schema['oneOf']
    if (typeof tag !== 'string' || !Array.isArray(branches)) return undefined
    const byTag = new Map<unknown, Plan>()
    const ambiguous = new Set<unknown>()
    for (const branch of branches) {
      const property =
        isObject(branch) && isObject(branch['properties']) ? branch['properties'][tag] : undefined
      if (!isObject(property)) continue
      const values = has(property, 'const')
        ? [property['const']]
        : Array.isArray(property['enum'])
          ? property['enum']
          : []
      for (const value of values) {
        if (byTag.has(value)) ambiguous.add(value)
        byTag.set(value, this.plan(branch))
      }
    }
    for (const value of ambiguous) byTag.delete(value)
    return {
      shell: this.allErrors.compile(omit(schema, ['discriminator', 'oneOf', 'anyOf', 'mapping'])),
      tag,
      branches: byTag,
    }
  }

  /** Lists the errors of `data`, known to fail `plan`, into `out`. */
  list(plan: Plan, data: unknown, cxt: DataContext, out: FieldErrorList): void {
    if (out.full) return
    switch (plan.kind) {
      case 'any':
        return
      case 'leaf':
        this.run(plan.leaf, data, cxt, out)
        return
      case 'object':
        if (isObject(data)) this.object(plan, data, cxt, out)
        else this.run(plan.check, data, cxt, out)
        return
      case 'array':
        if (Array.isArray(data)) this.array(plan, data, cxt, out)
        else this.run(plan.check, data, cxt, out)
        return
      case 'union': {
        const branch = isObject(data) ? plan.branches.get(data[plan.tag]) : undefined
        if (!branch) {
          this.run(plan.check, data, cxt, out)
          return
        }
        this.run(plan.shell, data, cxt, out)
        if (!out.full && !branchValid(branch, data)) this.list(branch, data, cxt, out)
      }
    }
  }

  private object(
    plan: Extract<Plan, { kind: 'object' }>,
    data: Record<string, unknown>,
    cxt: DataContext,
    out: FieldErrorList,
  ) {
    this.run(plan.shell, data, cxt, out)
    const child = (key: string): DataContext => ({
      instancePath: `${cxt.instancePath}/${escapePointer(key)}`,
      parentData: data,
      parentDataProperty: key,
      rootData: cxt.rootData,
    })
    // In Ajv's order: unknown properties, then declared ones, then those matching a pattern.
    if (plan.additional !== undefined) {
      for (const key of Object.keys(data)) {
        if (out.full) return
        if (plan.properties.has(key) || plan.patterns.some(([re]) => re.test(key))) continue
        if (plan.additional === false) {
          out.add({
            instancePath: cxt.instancePath,
            keyword: 'additionalProperties',
            params: { additionalProperty: key },
            message: 'must NOT have additional properties',
          })
        } else if (!branchValid(plan.additional, data[key]))
          this.list(plan.additional, data[key], child(key), out)
      }
    }
    for (const [key, sub] of plan.properties) {
      if (out.full) return
      if (has(data, key) && !branchValid(sub, data[key])) this.list(sub, data[key], child(key), out)
    }
    const checked = plan.patterns.filter(([, sub]) => sub.kind !== 'any')
    if (checked.length === 0) return
    for (const key of Object.keys(data)) {
      for (const [re, sub] of checked) {
        if (out.full) return
        if (re.test(key) && !branchValid(sub, data[key])) this.list(sub, data[key], child(key), out)
      }
    }
  }

  private array(
    plan: Extract<Plan, { kind: 'array' }>,
    data: unknown[],
    cxt: DataContext,
    out: FieldErrorList,
  ) {
    this.run(plan.shell, data, cxt, out)
    for (let i = 0; i < data.length && !out.full; i++) {
      if (branchValid(plan.items, data[i])) continue
      this.list(
        plan.items,
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

  private run(validate: ValidateFunction, data: unknown, cxt: DataContext, out: FieldErrorList) {
    if (validate(data, { ...cxt, dynamicAnchors: {} } as DataValidationCxt)) return
    for (const issue of validate.errors ?? []) {
      out.add(issue)
      if (out.full) return
    }
  }
}

/**
 * Whether a child passes its schema: the cheap test run before walking it (no context, so nothing allocated).
 * Validators that coerce (query strings) get the context they need when the child is walked.
 */
function branchValid(plan: Plan, data: unknown): boolean {
  return plan.kind === 'any' || plan.check(data)
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
