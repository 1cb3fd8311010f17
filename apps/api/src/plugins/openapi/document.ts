import { type ErrorCode, ErrorCodes } from '@punctual/core'
import { COMPONENTS } from './components.ts'
import { EXAMPLES, type OperationExamples } from './examples.ts'
import { OPERATIONS, type OperationDoc } from './operations.ts'

/**
 * What turns the routes' schemas into the OpenAPI document users lint and generate clients from
 * (@fastify/swagger's `transform` per route, then `transformObject` once):
 * - each operation gets its operationId and summary from operations.ts;
 * - each schema object listed in components.ts becomes a `$ref` under `components.schemas`;
 * - each error status an operation can answer is declared as application/problem+json with the `code` values
 *   it may carry (the route's own, plus those its shape implies: validation, authentication, role, rate limit,
 *   body size and type, dependencies down), with `Retry-After` where it is sent;
 * - every response declares `X-Request-Id`.
 * Runtime serialization is untouched: routes keep their `4xx`/`5xx` Problem schemas, which only the document
 * replaces.
 */

type Json = Record<string, unknown>

const COMPONENT_OF = new Map<object, string>(
  Object.entries(COMPONENTS).map(([name, schema]) => [schema, name]),
)
const COMPONENT_NAMES = new Set(Object.keys(COMPONENTS))
const ROLE_KEY = 'x-min-role'
const CODES_KEY = 'x-error-codes'
const PROBES = new Set(['/healthz', '/readyz', '/metrics'])

interface RouteTransformInput {
  schema: Json | undefined
  url: string
  route: { method: string | string[]; config?: unknown }
}

/** Per route: names the operation, marks its component schemas, and notes its role and error codes. */
export function transformRoute({ schema, url, route }: RouteTransformInput) {
  if (!schema || schema['hide']) return { schema, url }
  const method = [route.method].flat()[0]!.toUpperCase()
  const op = OPERATIONS[`${method} ${openApiPath(url)}`]
  const configured = (route.config as { minRole?: string } | undefined)?.minRole
  return {
    url,
    schema: {
      ...(markComponents(schema) as Json),
      ...(op && { operationId: op.operationId, summary: op.summary }),
      [ROLE_KEY]: configured ?? (method === 'GET' || method === 'HEAD' ? 'viewer' : 'editor'),
      [CODES_KEY]: op?.errors ?? [],
    },
  }
}

/** Once, on the whole document: hoists the components, declares the errors and headers. */
export function finishDocument({ openapiObject }: { openapiObject: Json }): Json {
  const schemas: Record<string, Json> = {}
  const paths = hoist(openapiObject['paths'], schemas) as Record<string, Record<string, Json>>
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const key = `${method.toUpperCase()} ${path}`
      addDocumented(op, OPERATIONS[key]?.document)
      addExamples(op, EXAMPLES[key])
      declareResponses(path, op)
    }
  }
  const components = (openapiObject['components'] ?? {}) as Json
  schemas['Problem'] = plain(COMPONENTS['Problem']) as Json
  mapDiscriminators(schemas, schemas)
  mapDiscriminators(paths, schemas)
  return {
    ...openapiObject,
    paths,
    components: {
      ...components,
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      headers: RESPONSE_HEADERS,
    },
  }
}

const RESPONSE_HEADERS = {
  RequestId: {
    description:
      "The request's id: the client's X-Request-Id when it is 1-128 characters of [A-Za-z0-9._:-], else generated; also `requestId` in a problem body",
    schema: { type: 'string', maxLength: 128 },
  },
  RetryAfter: {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer', minimum: 0 },
  },
}

function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

/** A copy of `node` in which each component schema object carries its name as `title`. */
function markComponents(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(markComponents)
  if (node === null || typeof node !== 'object') return node
  const out: Json = {}
  for (const [key, value] of Object.entries(node)) out[key] = markComponents(value)
  const name = COMPONENT_OF.get(node)
  if (name) out['title'] = name
  return out
}

/** Post-order: a schema titled with a component name is stored once and replaced by a `$ref`. */
function hoist(node: unknown, schemas: Record<string, Json>): unknown {
  if (Array.isArray(node)) return node.map((n) => hoist(n, schemas))
  if (node === null || typeof node !== 'object') return node
  const out: Json = {}
  for (const [key, value] of Object.entries(node)) out[key] = hoist(value, schemas)
  const title = out['title']
  if (typeof title !== 'string' || !COMPONENT_NAMES.has(title)) return out
  const { nullable, ...body } = out
  schemas[title] ??= body
  const ref = { $ref: `#/components/schemas/${title}` }
  return nullable ? { type: 'object', nullable: true, allOf: [ref] } : ref
}

function addDocumented(op: Json, extra: OperationDoc['document']) {
  if (!extra) return
  if (extra.parameters)
    op['parameters'] = [...((op['parameters'] as object[] | undefined) ?? []), ...extra.parameters]
  if (extra.requestBody) op['requestBody'] = extra.requestBody
  if (extra.responses) op['responses'] = { ...(op['responses'] as Json), ...extra.responses }
}

function addExamples(op: Json, examples: OperationExamples | undefined) {
  if (!examples) return
  const media = (holder: unknown) =>
    (holder as { content?: Record<string, Json> } | undefined)?.content?.['application/json']
  const request = media(op['requestBody'])
  if (examples.request && request) request['example'] = examples.request
  const response = examples.response && media((op['responses'] as Json)[examples.response.status])
  if (examples.response && response) response['example'] = examples.response.value
}

/**
 * A `discriminator` over `$ref`s gets its `mapping` (the value of the property in each branch → the branch), so
 * a generated client types the property as its real values (`http`, `delay`), not as the schema names.
 */
function mapDiscriminators(node: unknown, schemas: Record<string, Json>) {
  if (node === null || typeof node !== 'object') return
  for (const value of Object.values(node)) mapDiscriminators(value, schemas)
  const { discriminator, oneOf } = node as { discriminator?: Json; oneOf?: { $ref?: string }[] }
  if (!discriminator || !oneOf || discriminator['mapping']) return
  const property = discriminator['propertyName'] as string
  const mapping: Record<string, string> = {}
  for (const branch of oneOf) {
    const name = branch.$ref?.split('/').pop()
    const values = (schemas[name ?? '']?.['properties'] as Record<string, { enum?: string[] }> | undefined)?.[
      property
    ]?.enum
    if (!branch.$ref || values?.length !== 1) return
    mapping[values[0]!] = branch.$ref
  }
  discriminator['mapping'] = mapping
}

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value))
}

/** The codes an operation can answer: its own and those its shape implies. */
function errorCodes(path: string, op: Json): ErrorCode[] {
  const codes = new Set<ErrorCode>(op[CODES_KEY] as ErrorCode[])
  const role = op[ROLE_KEY]
  if (path.startsWith('/api/')) {
    codes.add('SCHED_ERR_UNAUTHORIZED')
    if (role !== 'viewer') codes.add('SCHED_ERR_FORBIDDEN')
  }
  if (!PROBES.has(path)) {
    for (const c of ['SCHED_ERR_RATE_LIMITED', 'SCHED_ERR_INTERNAL', 'SCHED_ERR_DEPENDENCY_DOWN'] as const)
      codes.add(c)
    if ((op['parameters'] as unknown[] | undefined)?.length || op['requestBody'])
      codes.add('SCHED_ERR_VALIDATION')
  }
  if (op['requestBody'] || path.startsWith('/hooks/')) {
    for (const c of [
      'SCHED_ERR_MALFORMED_JSON',
      'SCHED_ERR_JSON_UNSUPPORTED',
      'SCHED_ERR_BODY_TOO_LARGE',
      'SCHED_ERR_UNSUPPORTED_MEDIA_TYPE',
    ] as const)
      codes.add(c)
  }
  return [...codes]
}

function declareResponses(path: string, op: Json) {
  const codes = errorCodes(path, op)
  delete op[ROLE_KEY]
  delete op[CODES_KEY]
  const responses = { ...(op['responses'] as Record<string, Json>) }
  delete responses['4XX']
  delete responses['5XX']
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of codes) {
    const status = ErrorCodes[code].status
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = problemResponse(status, list)
  }
  for (const response of Object.values(responses)) {
    response['headers'] = {
      'X-Request-Id': { $ref: '#/components/headers/RequestId' },
      ...(response['headers'] as Json | undefined),
    }
  }
  op['responses'] = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)))
}

function problemResponse(status: number, codes: ErrorCode[]): Json {
  return {
    description: codes.map((c) => `\`${c}\`: ${ErrorCodes[c].title}`).join('; '),
    ...((status === 429 || status === 503) && {
      headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } },
    }),
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            { $ref: '#/components/schemas/Problem' },
            { type: 'object', properties: { code: { type: 'string', enum: codes } } },
          ],
        },
      },
    },
  }
}
