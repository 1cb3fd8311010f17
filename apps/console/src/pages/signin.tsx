import { useState } from 'preact/hooks'
import { call, clientFor } from '../api.ts'
import { navigate } from '../router.tsx'
import { setSession } from '../session.ts'
import { ErrorMessage, Field } from '../ui/components.tsx'

/** Sign in with a JWT or an API key: checked with GET /api/me, kept in sessionStorage for this tab. */
export function SignInPage({ query }: { query: URLSearchParams }) {
  const [credential, setCredential] = useState('')
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const errors: Record<string, string> = {}
  if (!credential && error === 'empty') errors['credential'] = 'Paste a token or an API key'
  return (
    <main id="main" class="signin">
      <h1>Punctual console</h1>
      {query.get('expired') && (
        <p class="notice" role="status">
          Your credential was refused or has expired: sign in again.
        </p>
      )}
      <form
        onSubmit={async (e) => {
          e.preventDefault()
          const value = credential.trim()
          if (!value) {
            setError('empty')
            return
          }
          setBusy(true)
          setError(undefined)
          try {
            const me = await call(clientFor(value).GET('/api/me'))
            setSession({ credential: value, tenant: me.tenant, role: me.role, sub: me.sub })
            const next = query.get('next')
            navigate(next?.startsWith('/') && !next.startsWith('/signin') ? next : '/', { replace: true })
          } catch (err) {
            setError(err)
          } finally {
            setBusy(false)
          }
        }}
      >
        <Field
          label="API key or token"
          name="credential"
          errors={errors}
          hint="A JWT (pnpm run token …) or an API key (pk_…). Kept in this tab only (sessionStorage)."
        >
          {(attrs) => (
            <input
              {...attrs}
              type="password"
              autoComplete="off"
              value={credential}
              onInput={(e) => setCredential(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error !== 'empty' && <ErrorMessage error={error} />}
      </form>
    </main>
  )
}
