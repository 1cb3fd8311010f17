import type { SecretBox } from '@punctual/core'
import {
  countSealedValues,
  findStaleSealedRows,
  type ResealedRow,
  SEALED_TABLES,
  type SealedRow,
  type SealedTable,
  type Sql,
  writeResealedRows,
} from '@punctual/db'
import type { FastifyBaseLogger } from 'fastify'

export interface ResealOptions {
  sql: Sql
  box: SecretBox
  log: FastifyBaseLogger
  /** Rows read and written per statement. */
  batchSize?: number
}

export interface ResealResult {
  resealed: number
  /** Values that did not open (another key, tampered, v1 refused): left as they are, by row in the log. */
  unreadable: number
}

/** What a log line says of a row that did not open: never a value, only where it is. */
const WHAT: Record<string, (row: SealedRow) => Record<string, string>> = {
  triggers: (row) => ({ triggerId: row.key }),
  tenant_secrets: (row) => ({ tenant: row.tenant, secret: row.bind }),
  tenant_signing_secrets: (row) => ({ tenant: row.tenant, signingSecret: 'outbound' }),
}

/**
 * The key ring's rotation, run by every API process at boot (in the background; several at once are harmless:
 * a write applies only where the row still holds what was read): every sealed value (webhook trigger secrets,
 * tenant secrets, outbound signing secrets) under an older key or in the first format (`v1`) is opened and
 * sealed again under the newest key, bound to its row, in batches. Then, for each older key of the ring (and
 * for `v1`), one log line: none left (the key can leave the ring) or how many values still do not open.
 */
export async function resealSecrets(opts: ResealOptions): Promise<ResealResult> {
  const { sql, box, log } = opts
  const batchSize = opts.batchSize ?? 500
  const current = `v2.${box.currentKeyId}.`
  const result: ResealResult = { resealed: 0, unreadable: 0 }
  for (const spec of SEALED_TABLES) {
    let after: string | null = null
    for (;;) {
      const rows: SealedRow[] = await findStaleSealedRows(sql, spec, current, after, batchSize)
      if (rows.length === 0) break
      after = rows.at(-1)!.key
      const writes: ResealedRow[] = []
      for (const row of rows) {
        const write = resealRow(box, spec, row, current)
        if (write) writes.push(write)
        else {
          result.unreadable++
          log.warn(
            WHAT[spec.table]?.(row) ?? {},
            'a sealed secret does not open with the key ring; left as it is',
          )
        }
      }
      result.resealed += await writeResealedRows(sql, spec, writes)
    }
  }
  await reportOldKeys(sql, box, log)
  if (result.resealed > 0)
    log.info({ resealed: result.resealed }, 'sealed secrets re-sealed under the newest key')
  return result
}

function resealRow(box: SecretBox, spec: SealedTable, row: SealedRow, current: string): ResealedRow | null {
  const values = [...row.values]
  try {
    spec.columns.forEach((column, i) => {
      const sealed = row.values[i]
      if (sealed === null || sealed === undefined || sealed.startsWith(current)) return
      const at = { tenant: row.tenant, table: spec.table, row: row.bind, column }
      values[i] = box.seal(box.open(sealed, at), at)
    })
  } catch {
    return null
  }
  return { key: row.key, before: row.values, values }
}

async function reportOldKeys(sql: Sql, box: SecretBox, log: FastifyBaseLogger) {
  const older = box.keyIds.filter((id) => id !== box.currentKeyId)
  const prefixes = [...older.map((id) => `v2.${id}.`), 'v1.']
  const counts = new Map<string, number>()
  for (const spec of SEALED_TABLES) {
    for (const [prefix, n] of await countSealedValues(sql, spec, prefixes))
      counts.set(prefix, (counts.get(prefix) ?? 0) + n)
  }
  for (const id of older) {
    const left = counts.get(`v2.${id}.`) ?? 0
    if (left === 0) {
      log.info(
        { keyId: id },
        'no sealed value is left under this older key: it can be removed from SECRETS_ENCRYPTION_KEYS',
      )
    } else log.warn({ keyId: id, left }, 'sealed values are still under this older key (they did not open)')
  }
  const v1 = counts.get('v1.') ?? 0
  if (v1 > 0) log.warn({ left: v1 }, 'sealed values of the first format (v1) are left (they did not open)')
}

/**
 * resealSecrets in the background of a starting API: retried every `retryMs` while it fails (Postgres down at
 * boot), until one pass completes. Answers a stop function (close).
 */
export function startReseal(opts: ResealOptions & { retryMs?: number }): () => void {
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  const attempt = () => {
    resealSecrets(opts).catch((err: unknown) => {
      opts.log.warn({ err }, 're-sealing secrets under the newest key failed; retried later')
      if (!stopped) timer = setTimeout(attempt, opts.retryMs ?? 30_000).unref()
    })
  }
  attempt()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
