import { type FieldError, fieldPath, MAX_FIELD_ERRORS } from '@punctual/core'
import type { ErrorObject } from 'ajv'

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
  /** Paths with an error other than a type mismatch: the value had a type some branch takes. */
  private readonly constrained = new Set<string>()

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
      // `Nullable(String({ minLength: 1 }))` given "": the string branch's own error says it all, not `must be null`.
      if (issue.keyword === 'type' && this.constrained.has(path)) return
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
    this.constrained.add(path)
    const union = this.unions.get(path)
    if (union && union.values.length === 0) {
      this.unions.delete(path)
      this.entries.splice(this.entries.indexOf(union.entry), 1)
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
