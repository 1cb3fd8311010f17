import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import {
  generateWebhookSecret,
  signGithubWebhook,
  standardWebhookKey,
  verifyGithubWebhook,
  verifyStandardWebhook,
} from '../src/index.ts'
import { signStandardWebhook } from '../src/testing.ts'

const body = Buffer.from(JSON.stringify({ order: { id: 'o-1', total: 42.5 }, note: 'déjà vu ✓' }))
const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'

describe('generateWebhookSecret', () => {
  it('is whsec_ + base64 of 32 random bytes, new every time', () => {
    const secrets = new Set(Array.from({ length: 50 }, () => generateWebhookSecret()))
    expect(secrets.size).toBe(50)
    for (const s of secrets) {
      expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
      expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32)
      expect(standardWebhookKey(s)).toHaveLength(32)
    }
  })
})

describe('Standard Webhooks', () => {
  const secret = generateWebhookSecret()
  const nowMs = Date.now()
  const timestamp = String(Math.floor(nowMs / 1000))
  const verify = (over: Partial<Parameters<typeof verifyStandardWebhook>[0]>) =>
    verifyStandardWebhook({
      secrets: [secret],
      id,
      timestamp,
      signature: signStandardWebhook({ secret, id, timestamp, body }),
      body,
      nowMs,
      ...over,
    })

  it('agrees with the official standardwebhooks package both ways', () => {
    const lib = new Webhook(secret)
    const theirs = lib.sign(id, new Date(Number(timestamp) * 1000), body)
    const ours = signStandardWebhook({ secret, id, timestamp, body })
    expect(ours).toBe(theirs)
    expect(verify({ signature: theirs })).toEqual({ ok: true, secretIndex: 0 })
    // Their verifier reads the clock itself; our timestamp is "now".
    const headers = { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': ours }
    expect(lib.verify(body, headers)).toEqual(JSON.parse(body.toString()))
    // A string body signs the same bytes as its UTF-8 buffer.
    expect(signStandardWebhook({ secret, id, timestamp: Number(timestamp), body: body.toString() })).toBe(
      ours,
    )
  })

  it('agrees with the package for a secret without the whsec_ prefix', () => {
    const bare = secret.slice('whsec_'.length)
    const theirs = new Webhook(bare).sign(id, new Date(Number(timestamp) * 1000), body)
    expect(verify({ secrets: [bare], signature: theirs }).ok).toBe(true)
  })

  it('refuses the wrong key, a changed byte and a re-serialized body', () => {
    expect(verify({ secrets: [generateWebhookSecret()] })).toEqual({ ok: false, reason: 'invalid-signature' })
    const changed = Buffer.from(body)
    changed[10] = changed[10]! ^ 1
    expect(verify({ body: changed })).toEqual({ ok: false, reason: 'invalid-signature' })
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2))
    expect(reserialized.equals(body)).toBe(false)
    expect(verify({ body: reserialized })).toEqual({ ok: false, reason: 'invalid-signature' })
    // The id and timestamp are signed too.
    expect(verify({ id: `${id}x` })).toEqual({ ok: false, reason: 'invalid-signature' })
    const otherTs = String(Number(timestamp) - 1)
    expect(verify({ timestamp: otherTs })).toEqual({ ok: false, reason: 'invalid-signature' })
  })

  it('refuses timestamps 6 minutes old or ahead, accepts within 5 minutes', () => {
    const at = (deltaSec: number) => {
      const ts = String(Number(timestamp) + deltaSec)
      return verify({ timestamp: ts, signature: signStandardWebhook({ secret, id, timestamp: ts, body }) })
    }
    expect(at(-360)).toEqual({ ok: false, reason: 'timestamp-too-old' })
    expect(at(360)).toEqual({ ok: false, reason: 'timestamp-too-new' })
    expect(at(-300).ok).toBe(true)
    expect(at(300).ok).toBe(true)
    expect(at(-301)).toEqual({ ok: false, reason: 'timestamp-too-old' })
    const ts = String(Number(timestamp) - 100)
    const signature = signStandardWebhook({ secret, id, timestamp: ts, body })
    expect(verify({ timestamp: ts, signature, toleranceSec: 60 })).toEqual({
      ok: false,
      reason: 'timestamp-too-old',
    })
  })

  it('refuses missing headers and malformed timestamps', () => {
    for (const missing of ['id', 'timestamp', 'signature'] as const) {
      expect(verify({ [missing]: undefined })).toEqual({ ok: false, reason: 'missing-header' })
      expect(verify({ [missing]: '' })).toEqual({ ok: false, reason: 'missing-header' })
    }
    for (const ts of ['abc', '1.5', '-5', `${timestamp}abc`, ' 1', '1'.repeat(13), '2026-03-08T07:00:00Z']) {
      expect(verify({ timestamp: ts })).toEqual({ ok: false, reason: 'invalid-timestamp' })
    }
  })

  it('refuses signatures of the wrong length, bad base64 or another version, without throwing', () => {
    const good = signStandardWebhook({ secret, id, timestamp, body })
    for (const signature of [
      'v1,',
      'v1,AAAA',
      good.slice(0, -2),
      `${good}AA`,
      'v1,!!!!not base64!!!!',
      `v1,${'ä'.repeat(44)}`,
      good.replace('v1,', 'v2,'),
      good.replace('v1,', ''),
      good.replace('v1,', 'v1a,'),
      ' ',
      'garbage',
    ]) {
      expect(verify({ signature })).toEqual({ ok: false, reason: 'invalid-signature' })
    }
  })

  it('accepts any one of several signatures (sender rotating) and any of several secrets (we rotate)', () => {
    const previous = generateWebhookSecret()
    const oldSig = signStandardWebhook({ secret: previous, id, timestamp, body })
    const newSig = signStandardWebhook({ secret, id, timestamp, body })
    // The sender signs with both secrets while it switches; we know only the new one.
    expect(verify({ signature: `${oldSig} ${newSig}` })).toEqual({ ok: true, secretIndex: 0 })
    expect(verify({ signature: `${newSig} ${oldSig}` })).toEqual({ ok: true, secretIndex: 0 })
    // We hold current and previous (grace period); the sender still signs with the previous one.
    expect(verify({ secrets: [secret, previous], signature: oldSig })).toEqual({ ok: true, secretIndex: 1 })
    expect(verify({ secrets: [secret], signature: oldSig })).toEqual({
      ok: false,
      reason: 'invalid-signature',
    })
    // The official package signing with the previous secret, verified during the grace period.
    const theirs = new Webhook(previous).sign(id, new Date(Number(timestamp) * 1000), body)
    expect(verify({ secrets: [secret, previous], signature: `v1,bad ${theirs}` })).toEqual({
      ok: true,
      secretIndex: 1,
    })
  })

  it('skips unusable secrets instead of throwing', () => {
    expect(verify({ secrets: ['whsec_', 'whsec_%%%', secret] })).toEqual({ ok: true, secretIndex: 2 })
    expect(verify({ secrets: [] })).toEqual({ ok: false, reason: 'invalid-signature' })
    expect(() => signStandardWebhook({ secret: 'whsec_%%%', id, timestamp, body })).toThrow(TypeError)
  })
})

describe('GitHub', () => {
  it("matches GitHub's documented test vector", () => {
    const secret = "It's a Secret to Everybody"
    const payload = Buffer.from('Hello, World!')
    const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'
    expect(signGithubWebhook(secret, payload)).toBe(expected)
    expect(signGithubWebhook(secret, 'Hello, World!')).toBe(expected)
    expect(verifyGithubWebhook({ secrets: [secret], signature: expected, body: payload })).toEqual({
      ok: true,
      secretIndex: 0,
    })
    expect(
      verifyGithubWebhook({
        secrets: [secret],
        signature: expected.toUpperCase().replace('SHA256', 'sha256'),
        body: payload,
      }).ok,
    ).toBe(true)
  })

  it('keys with the whole secret string, whsec_ included', () => {
    const secret = generateWebhookSecret()
    const signature = signGithubWebhook(secret, body)
    expect(verifyGithubWebhook({ secrets: [secret], signature, body }).ok).toBe(true)
    expect(verifyGithubWebhook({ secrets: [secret.slice(6)], signature, body }).ok).toBe(false)
  })

  it('refuses the wrong key, a changed byte, a re-serialized body, missing and malformed headers', () => {
    const secret = generateWebhookSecret()
    const signature = signGithubWebhook(secret, body)
    const verify = (over: Partial<Parameters<typeof verifyGithubWebhook>[0]>) =>
      verifyGithubWebhook({ secrets: [secret], signature, body, ...over })
    expect(verify({ secrets: [generateWebhookSecret()] })).toEqual({ ok: false, reason: 'invalid-signature' })
    const changed = Buffer.from(body)
    changed[0] = changed[0]! ^ 1
    expect(verify({ body: changed })).toEqual({ ok: false, reason: 'invalid-signature' })
    expect(verify({ body: Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1)) }).ok).toBe(false)
    expect(verify({ signature: undefined })).toEqual({ ok: false, reason: 'missing-header' })
    expect(verify({ signature: '' })).toEqual({ ok: false, reason: 'missing-header' })
    for (const bad of [
      'sha256=',
      'sha256=abc',
      `${signature}00`,
      signature.slice(7),
      signature.replace('sha256', 'sha1'),
      'sha256=ü',
    ]) {
      expect(verify({ signature: bad })).toEqual({ ok: false, reason: 'invalid-signature' })
    }
  })

  it('accepts the previous secret during rotation', () => {
    const current = generateWebhookSecret()
    const previous = generateWebhookSecret()
    const signature = signGithubWebhook(previous, body)
    expect(verifyGithubWebhook({ secrets: [current, previous], signature, body })).toEqual({
      ok: true,
      secretIndex: 1,
    })
    expect(verifyGithubWebhook({ secrets: [current], signature, body }).ok).toBe(false)
  })
})
