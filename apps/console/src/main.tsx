import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { dismissBanner, getBanner, onBannerChange } from './api.ts'
import { AuditPage } from './pages/audit.tsx'
import { DeadLetterPage } from './pages/dead-letter.tsx'
import { ExecutionPage, ExecutionsPage } from './pages/executions.tsx'
import { OptimizerPage } from './pages/optimizer.tsx'
import { OverviewPage } from './pages/overview.tsx'
import { SchedulePage } from './pages/schedule.tsx'
import { ScheduleEditPage } from './pages/schedule-form.tsx'
import { SchedulesPage } from './pages/schedules.tsx'
import { SignInPage } from './pages/signin.tsx'
import { TriggerEditPage, TriggerPage, TriggersPage } from './pages/triggers.tsx'
import { WorkersPage } from './pages/workers.tsx'
import { WorkflowEditPage, WorkflowsPage } from './pages/workflows.tsx'
import { Link, match, navigate, useLocation } from './router.tsx'
import { can, getSession, onSessionChange, setSession } from './session.ts'
import { Boundary } from './ui/components.tsx'

type Page = (props: { params: Record<string, string>; query: URLSearchParams }) => preact.JSX.Element

const ROUTES: [string, Page][] = [
  ['/', OverviewPage],
  ['/workflows', WorkflowsPage],
  ['/workflows/new', WorkflowEditPage],
  ['/workflows/:id', WorkflowEditPage],
  ['/schedules', SchedulesPage],
  ['/schedules/new', ScheduleEditPage],
  ['/schedules/:id/edit', ScheduleEditPage],
  ['/schedules/:id', SchedulePage],
  ['/executions', ExecutionsPage],
  ['/executions/:id', ExecutionPage],
  ['/dead-letter', DeadLetterPage],
  ['/triggers', TriggersPage],
  ['/triggers/new', TriggerEditPage],
  ['/triggers/:id/edit', TriggerEditPage],
  ['/triggers/:id', TriggerPage],
  ['/optimizer', OptimizerPage],
  ['/workers', WorkersPage],
  ['/audit', AuditPage],
]

const NAV: [string, string, boolean?][] = [
  ['/', 'Overview'],
  ['/workflows', 'Workflows'],
  ['/schedules', 'Schedules'],
  ['/executions', 'Executions'],
  ['/dead-letter', 'Dead letters'],
  ['/triggers', 'Triggers'],
  ['/optimizer', 'Optimizer'],
  ['/workers', 'Workers'],
  ['/audit', 'Audit log', true],
]

function useSession() {
  const [session, set] = useState(getSession)
  useEffect(() => onSessionChange(() => set(getSession())), [])
  return session
}

function BannerBar() {
  const [banner, set] = useState(getBanner)
  useEffect(() => onBannerChange(() => set(getBanner())), [])
  if (!banner) return null
  return (
    <div class={`banner banner-${banner.kind}`} role="alert" data-banner={banner.kind}>
      <span>{banner.message}</span>
      <button type="button" class="link" onClick={dismissBanner}>
        Dismiss
      </button>
    </div>
  )
}

function App() {
  const loc = useLocation()
  const session = useSession()
  useEffect(() => {
    if (!session && loc.path !== '/signin') {
      navigate(`/signin?next=${encodeURIComponent(loc.path + (loc.query.size ? `?${loc.query}` : ''))}`, {
        replace: true,
      })
    }
  }, [session, loc.path])
  if (loc.path === '/signin' || !session)
    return (
      <>
        <BannerBar />
        <SignInPage query={loc.query} />
      </>
    )
  let page: preact.JSX.Element | null = null
  for (const [pattern, Component] of ROUTES) {
    const params = match(pattern, loc.path)
    if (params) {
      page = (
        <Boundary key={loc.path}>
          <Component params={params} query={loc.query} />
        </Boundary>
      )
      break
    }
  }
  const section = `/${loc.path.split('/')[1] ?? ''}`
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">
          Punctual
        </Link>
        <nav aria-label="Sections">
          <ul>
            {NAV.filter(([, , admin]) => !admin || can('admin')).map(([href, label]) => (
              <li key={href}>
                <Link href={href} aria-current={section === href ? 'page' : undefined}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span data-role={session.role}>
            {session.tenant} · {session.role}
          </span>
          <button
            type="button"
            class="link"
            onClick={() => {
              setSession(null)
              navigate('/signin', { replace: true })
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <BannerBar />
      <main id="main">
        {page ?? (
          <div>
            <h1>Not found</h1>
            <p>
              No console page at <code>{loc.path}</code>. <Link href="/">Go to the overview</Link>.
            </p>
          </div>
        )}
      </main>
    </>
  )
}

const root = document.getElementById('app')
if (root) {
  root.textContent = ''
  render(<App />, root)
}
