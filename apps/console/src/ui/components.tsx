import { Component, type ComponentChildren, type JSX } from 'preact'
import { useCallback, useState } from 'preact/hooks'
import { ApiError, describe, fieldErrors } from '../api.ts'

/** A failure as a readable message (role=alert), with the request id to quote. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null
  const rid = error instanceof ApiError ? error.problem.requestId : undefined
  const fields = error instanceof ApiError ? (error.problem.errors ?? []) : []
  return (
    <div class="error" role="alert">
      <p>{describe(error)}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f.path}>
              <code>{f.path.replace(/^body\.?/, '') || 'body'}</code> {f.message}
            </li>
          ))}
        </ul>
      )}
      {rid && <p class="muted small">Request id: {rid}</p>}
    </div>
  )
}

let nextId = 0
function useId(prefix: string) {
  const [id] = useState(() => `${prefix}-${++nextId}`)
  return id
}

/** What a Field hands its control: its id, name and accessibility attributes. */
export interface FieldAttrs {
  id: string
  name: string
  'aria-invalid'?: 'true'
  'aria-describedby'?: string
}

/** A labelled form control with its problem message beside it (aria-invalid, aria-describedby). */
export function Field(props: {
  label: string
  name: string
  errors: Record<string, string>
  hint?: string
  children: (attrs: FieldAttrs) => JSX.Element
}) {
  const id = useId(`f-${props.name}`)
  const message = props.errors[props.name]
  const described = [message && `${id}-err`, props.hint && `${id}-hint`].filter(Boolean).join(' ')
  return (
    <div class={`field${message ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children({
        id,
        name: props.name,
        ...(message && { 'aria-invalid': 'true' as const }),
        ...(described && { 'aria-describedby': described }),
      })}
      {props.hint && (
        <small id={`${id}-hint`} class="muted">
          {props.hint}
        </small>
      )}
      {message && (
        <small id={`${id}-err`} class="field-error" data-field-error={props.name}>
          {message}
        </small>
      )}
    </div>
  )
}

/** The tenant's workflows as a select inside a Field, `blank` naming the empty choice. */
export function WorkflowSelect(props: {
  attrs: FieldAttrs
  workflows: readonly { id: string; name: string }[]
  value: string
  blank: string
  onChange: (e: { currentTarget: { value: string } }) => void
}) {
  return (
    <select {...props.attrs} value={props.value} onChange={props.onChange}>
      <option value="">{props.blank}</option>
      {props.workflows.map((w) => (
        <option key={w.id} value={w.id}>
          {w.name}
        </option>
      ))}
    </select>
  )
}

/** Field errors of a problem that no field on the form shows (listed at the top, never lost). */
export function FormProblem({ error, shown }: { error: unknown; shown: string[] }) {
  if (!error) return null
  const fields = fieldErrors(error)
  const rest = Object.entries(fields).filter(([k]) => !shown.includes(k))
  return (
    <div class="error" role="alert">
      <p>{describe(error)}</p>
      {rest.length > 0 && (
        <ul>
          {rest.map(([k, m]) => (
            <li key={k}>
              <code>{k}</code> {m}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function Table(props: { caption: string; children: ComponentChildren; empty?: boolean }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section class="table-wrap" aria-label={props.caption} tabIndex={0}>
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        {props.children}
      </table>
      {props.empty && <p class="muted empty">Nothing here yet.</p>}
    </section>
  )
}

export function Status({ status }: { status: string }) {
  return <span class={`status status-${status}`}>{status}</span>
}

export function Pager(props: {
  hasPrev: boolean
  next: string | null | undefined
  onPrev: () => void
  onNext: () => void
}) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={!props.hasPrev} onClick={props.onPrev}>
        Previous
      </button>
      <button type="button" disabled={!props.next} onClick={props.onNext}>
        Next
      </button>
    </nav>
  )
}

/** Cursor pagination: the cursors of the pages before, so Previous works. */
export function useCursor() {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined])
  const cursor = stack[stack.length - 1]
  const reset = useCallback(() => setStack([undefined]), [])
  return {
    cursor,
    hasPrev: stack.length > 1,
    next: (c: string) => setStack((s) => [...s, c]),
    prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    reset,
  }
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" aria-live="polite">
      Loading {what}…
    </p>
  )
}

export function PageHeader(props: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1>{props.title}</h1>
      {props.children && <div class="actions">{props.children}</div>}
    </header>
  )
}

/** A button that runs an async action once at a time and shows its failure beside it. */
export function ActionButton(props: {
  label: string
  onRun: () => Promise<unknown>
  class?: string
  confirm?: string
  disabled?: boolean
}) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  return (
    <span class="action">
      <button
        type="button"
        class={props.class}
        disabled={busy || props.disabled}
        aria-busy={busy}
        onClick={async () => {
          if (props.confirm && !window.confirm(props.confirm)) return
          setBusy(true)
          setError(undefined)
          try {
            await props.onRun()
          } catch (err) {
            setError(err)
          } finally {
            setBusy(false)
          }
        }}
      >
        {props.label}
      </button>
      {error !== undefined && (
        <span class="field-error" role="alert">
          {describe(error)}
        </span>
      )}
    </span>
  )
}

/** A page that throws while rendering shows what happened instead of a blank screen. */
export class Boundary extends Component<{ children: ComponentChildren }, { error: unknown }> {
  override state = { error: undefined as unknown }
  override componentDidCatch(error: unknown) {
    this.setState({ error })
  }
  override render() {
    if (this.state.error !== undefined)
      return (
        <div class="error" role="alert">
          <p>This page failed to show: {describe(this.state.error)}</p>
          <p>
            <a href={location.href}>Reload it</a>
          </p>
        </div>
      )
    return this.props.children
  }
}
