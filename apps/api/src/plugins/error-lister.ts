import type { Ajv, ValidateFunction } from 'ajv'
import type { DataValidationCxt } from 'ajv/dist/types/index.js'
import type { FieldErrorList } from './field-errors.ts'

export type Schema = Record<string, unknown>
/** Where a value sits in the data: Ajv's validation context, so that errors carry the full instancePath. */
export interface DataContext {
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
export class ErrorLister {
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
