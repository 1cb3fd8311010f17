/**
 * A TCP proxy for fault tests (exported by `@punctual/queue/testing`; node:net only, so it serves Postgres as
 * well as Redis): the dependency fails in the way the test asks for, without touching the shared server.
 */
import net from 'node:net'

export interface TcpProxy {
  port: number
  /**
   * `url` (any redis:// or postgres:// URL: credentials, DB number or database name kept) pointed at the proxy;
   * `redis://127.0.0.1:<port>` without one.
   */
  url(url?: string): string
  /** Resets every open connection; new ones are accepted and reset at once (the server "goes away"). */
  cut(): void
  /** Resets every open connection and stops listening: new connections are refused. */
  refuse(): Promise<void>
  /** Resets every open connection; new ones are accepted and never answered (a connect that hangs). */
  blackhole(): Promise<void>
  /** Keeps connections open but drops every byte, both ways (a partition: no reset, and what is lost is lost). */
  stall(): void
  /** Keeps connections open and holds every byte until restore() (a frozen peer: bytes arrive late). */
  freeze(): void
  /** Forwards again (listening again after refuse(); held bytes flow). */
  restore(): Promise<void>
  close(): Promise<void>
}

type Mode = 'open' | 'cut' | 'refused' | 'blackhole' | 'stalled' | 'frozen'

interface Pair {
  client: net.Socket
  upstream?: net.Socket
}

interface ProxyState {
  mode: Mode
  pairs: Set<Pair>
}

/** One accepted connection: refused, held unanswered, or forwarded to the target as the mode says. */
function accept(state: ProxyState, client: net.Socket, target: { host: string; port: number }) {
  client.on('error', () => {})
  if (state.mode === 'cut' || state.mode === 'refused') {
    client.destroy()
    return
  }
  const pair: Pair = { client }
  state.pairs.add(pair)
  client.on('close', () => {
    state.pairs.delete(pair)
    pair.upstream?.destroy()
  })
  if (state.mode === 'blackhole') return
  const upstream = net.connect(target.port, target.host)
  pair.upstream = upstream
  upstream.on('error', () => {})
  upstream.on('close', () => client.destroy())
  client.on('data', (chunk) => {
    if (state.mode !== 'stalled') upstream.write(chunk)
  })
  upstream.on('data', (chunk) => {
    if (state.mode !== 'stalled') client.write(chunk)
  })
  if (state.mode === 'frozen') {
    client.pause()
    upstream.pause()
  }
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function dropAll(pairs: Set<Pair>) {
  for (const { client, upstream } of pairs) {
    client.destroy()
    upstream?.destroy()
  }
  pairs.clear()
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const state: ProxyState = { mode: 'open', pairs: new Set() }
  const onConnection = (client: net.Socket) => accept(state, client, target)
  let server = net.createServer(onConnection)
  await listen(server, 0)
  const port = (server.address() as net.AddressInfo).port
  const closeServer = () =>
    new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))
  const relisten = async () => {
    if (server.listening) return
    server = net.createServer(onConnection)
    await listen(server, port)
  }
  const shut = async (mode: Mode) => {
    state.mode = mode
    const closed = closeServer()
    dropAll(state.pairs)
    await closed
  }

  return {
    port,
    url(url?: string) {
      const parsed = new URL(url ?? 'redis://127.0.0.1')
      parsed.hostname = '127.0.0.1'
      parsed.port = String(port)
      return parsed.toString()
    },
    cut() {
      state.mode = 'cut'
      dropAll(state.pairs)
    },
    refuse: () => shut('refused'),
    async blackhole() {
      state.mode = 'blackhole'
      dropAll(state.pairs)
      await relisten()
    },
    stall() {
      state.mode = 'stalled'
    },
    freeze() {
      state.mode = 'frozen'
      for (const { client, upstream } of state.pairs) {
        client.pause()
        upstream?.pause()
      }
    },
    async restore() {
      state.mode = 'open'
      for (const { client, upstream } of state.pairs) {
        client.resume()
        upstream?.resume()
      }
      await relisten()
    },
    close: () => shut('refused'),
  }
}
