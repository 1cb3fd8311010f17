/**
 * The signed-in credential (a JWT or an API key) and what it may do. Kept in sessionStorage: it lives as long as
 * the tab, is never written to localStorage or a cookie, and is sent only as `Authorization: Bearer` to this
 * origin's API.
 */
export type Role = 'viewer' | 'editor' | 'admin'

export interface Session {
  credential: string
  tenant: string
  role: Role
  sub: string
}

const KEY = 'punctual.session'
const listeners = new Set<() => void>()
let current: Session | null = read()

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY)
    return raw ? (JSON.parse(raw) as Session) : null
  } catch {
    return null
  }
}

export function getSession(): Session | null {
  return current
}

export function setSession(next: Session | null): void {
  current = next
  if (next) sessionStorage.setItem(KEY, JSON.stringify(next))
  else sessionStorage.removeItem(KEY)
  for (const l of listeners) l()
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 }

/** Whether the signed-in role reaches `role` (write buttons are shown only then). */
export function can(role: Role): boolean {
  return current !== null && RANK[current.role] >= RANK[role]
}
