import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'

/** A small history router under /ui: paths, query strings, links that navigate without reloading. */
export const BASE = '/ui'
const listeners = new Set<() => void>()

export interface Location {
  path: string
  query: URLSearchParams
}

function current(): Location {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) || '/' : '/'
  return {
    path: path.length > 1 ? path.replace(/\/+$/, '') : path,
    query: new URLSearchParams(location.search),
  }
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = `${BASE}${to}`
  if (opts.replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  window.scrollTo(0, 0)
  for (const l of listeners) l()
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l()
})

export function useLocation(): Location {
  const [loc, setLoc] = useState(current)
  useEffect(() => {
    const l = () => setLoc(current())
    listeners.add(l)
    return () => listeners.delete(l)
  }, [])
  return loc
}

/** Matches `/schedules/:id` against a path: the named segments, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/')
  const s = path.split('/')
  if (p.length !== s.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < p.length; i++) {
    const part = p[i] as string
    const seg = s[i] as string
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(seg)
    else if (part !== seg) return null
  }
  return params
}

export function Link(props: {
  href: string
  children: ComponentChildren
  class?: string
  'aria-current'?: 'page' | undefined
}) {
  const { href, children, ...rest } = props
  return (
    <a
      {...rest}
      href={`${BASE}${href}`}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
        e.preventDefault()
        navigate(href)
      }}
    >
      {children}
    </a>
  )
}
