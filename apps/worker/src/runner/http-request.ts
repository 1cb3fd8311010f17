import { type PlaceholderContext, resolveHttpRequest, type SecretMasker, type Step } from '@punctual/core'
import { signRequest } from './outbound-signing.ts'
import { resolveStepSecrets } from './step-secrets.ts'
import type { StepOutbound } from './steps.ts'

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name)
}

export /** The request of an http step: placeholders (secrets included) resolved, target checked, signed. */
async function buildRequest(
  step: Extract<Step, { type: 'http' }>,
  context: PlaceholderContext,
  { outbound, masker }: { outbound: StepOutbound | undefined; masker: SecretMasker },
  now: () => number,
): Promise<{ url: URL; headers: Record<string, string>; body: string | undefined }> {
  const secrets = outbound ? await resolveStepSecrets(step, outbound.loadSecrets, masker) : null
  const request = resolveHttpRequest(step, secrets ? { ...context, secrets: secrets.values } : context)
  const url = new URL(request.url)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`unsupported URL scheme ${url.protocol} (http and https only)`)
  }
  secrets?.checkTarget(url)
  let headers = { ...request.headers }
  let body: string | undefined
  if (request.body !== undefined) {
    body = JSON.stringify(request.body)
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json'
  }
  if (outbound) {
    headers = signRequest(headers, {
      keys: await outbound.signingKeys(),
      executionId: context.execution.id,
      stepName: step.name,
      body: body ?? '',
      nowMs: now(),
    })
  }
  return { url, headers, body }
}
