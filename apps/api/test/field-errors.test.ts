// The parts of request validation tested alone: the field-error list (plugins/field-errors.ts) and the bounded
// error lister (plugins/error-lister.ts). The problem bodies they make are tested over HTTP in hygiene.test.ts.
import { MAX_FIELD_ERRORS } from '@punctual/core'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { ErrorLister } from '../src/plugins/error-lister.ts'
import { FieldErrorList, validationErrors } from '../src/plugins/field-errors.ts'

describe('FieldErrorList', () => {
  it('names the failing field, the missing or unknown property, and merges the branches of a union', () => {
    const errors = validationErrors('body', [
      { instancePath: '', keyword: 'required', params: { missingProperty: 'name' }, message: 'x' },
      {
        instancePath: '/a',
        keyword: 'additionalProperties',
        params: { additionalProperty: 'b' },
        message: 'x',
      },
      { instancePath: '/j', keyword: 'const', params: { allowedValue: 'full' }, message: 'x' },
      { instancePath: '/j', keyword: 'const', params: { allowedValue: 'none' }, message: 'x' },
      { instancePath: '/j', keyword: 'anyOf', params: {}, message: 'must match a schema in anyOf' },
      { instancePath: '/f', keyword: 'type', params: { type: 'object' }, message: 'must be object' },
      { instancePath: '/f', keyword: 'type', params: { type: 'null' }, message: 'must be null' },
      { instancePath: '/n', keyword: 'minimum', params: {}, message: 'must be >= 1' },
      { instancePath: '/n', keyword: 'minimum', params: {}, message: 'must be >= 1' },
      // Nullable(String({ minLength: 1 })) given "": the string branch's error alone, not `must be null`.
      {
        instancePath: '/s',
        keyword: 'minLength',
        params: {},
        message: 'must NOT have fewer than 1 characters',
      },
      { instancePath: '/s', keyword: 'type', params: { type: 'null' }, message: 'must be null' },
      { instancePath: '/t', keyword: 'type', params: { type: 'null' }, message: 'must be null' },
      {
        instancePath: '/t',
        keyword: 'maxLength',
        params: {},
        message: 'must NOT have more than 2 characters',
      },
    ])
    expect(errors).toEqual([
      { path: 'body.name', message: 'x' },
      { path: 'body.a.b', message: 'is not a known property' },
      { path: 'body.j', message: 'must be one of "full", "none"' },
      { path: 'body.f', message: 'must be object or null' },
      { path: 'body.n', message: 'must be >= 1' },
      { path: 'body.s', message: 'must NOT have fewer than 1 characters' },
      { path: 'body.t', message: 'must NOT have more than 2 characters' },
    ])
  })

  it('holds at most MAX_FIELD_ERRORS + 1 entries, and names the part when no issue named a field', () => {
    const list = new FieldErrorList('query')
    for (let i = 0; i < 100; i++)
      list.add({ instancePath: `/f${i}`, keyword: 'type', params: {}, message: 'bad' })
    expect(list.full).toBe(true)
    expect(list.list()).toHaveLength(MAX_FIELD_ERRORS + 1)
    expect(new FieldErrorList('params').list()).toEqual([{ path: 'params', message: 'is invalid' }])
  })
})

describe('ErrorLister', () => {
  const first = new Ajv({ allErrors: false, strict: false, discriminator: true })
  const all = new Ajv({ allErrors: true, strict: false, discriminator: true })
  const lister = new ErrorLister(first, all)
  const list = (schema: Record<string, unknown>, data: unknown) => {
    const out = new FieldErrorList('body')
    lister.list(
      lister.plan(schema),
      data,
      { instancePath: '', parentData: undefined, parentDataProperty: '', rootData: data },
      out,
    )
    return out.list()
  }

  it('walks objects and arrays to the failing fields, and stops once the list is full', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      properties: { items: { type: 'array', items: { type: 'integer', minimum: 0 } } },
    }
    expect(list(schema, { items: [1, -1, 'x'], extra: true })).toEqual([
      { path: 'body.extra', message: 'is not a known property' },
      { path: 'body.items.1', message: 'must be >= 0' },
      { path: 'body.items.2', message: 'must be integer' },
    ])
    expect(list(schema, { items: Array.from({ length: 100_000 }, () => -1) })).toHaveLength(
      MAX_FIELD_ERRORS + 1,
    )
  })

  it('follows a discriminated union into the branch its tag names', () => {
    const step = (type: string, extra: Record<string, unknown>) => ({
      type: 'object',
      required: ['type'],
      properties: { type: { const: type }, ...extra },
    })
    const schema = {
      type: 'object',
      discriminator: { propertyName: 'type' },
      oneOf: [step('http', { url: { type: 'string' } }), step('delay', { ms: { type: 'integer' } })],
    }
    expect(list(schema, { type: 'delay', ms: 'soon' })).toEqual([
      { path: 'body.ms', message: 'must be integer' },
    ])
  })
})
