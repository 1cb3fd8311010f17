import net from 'node:net'

/**
 * A TCP proxy in front of Postgres for fault tests: `refuse()` closes every connection and refuses new ones,
 * `blackhole()` accepts connections and never answers, `freeze()` stops moving bytes on open connections,
 * `restore()` goes back to forwarding.
 */
export interface TcpProxy {
  port: number
  url(database: string): string
  refuse(): Promise<void>
  blackhole(): Promise<void>
  freeze(): void
  restore(): Promise<void>
  close(): Promise<void>
}

type Mode = 'forward' | 'blackhole' | 'refuse'

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: Mode = 'forward'
  let frozen = false
  const pairs = new Set<{ client: net.Socket; upstream?: net.Socket }>()

  const onConnection = (client: net.Socket) => {
    client.on('error', () => {})
    const pair: { client: net.Socket; upstream?: net.Socket } = { client }
    pairs.add(pair)
    client.on('close', () => {
      pairs.delete(pair)
      pair.upstream?.destroy()
    })
    if (mode === 'blackhole') return
    const upstream = net.connect(target.port, target.host)
    pair.upstream = upstream
    upstream.on('error', () => client.destroy())
    upstream.on('close', () => client.destroy())
    client.on('data', (chunk) => upstream.write(chunk))
    upstream.on('data', (chunk) => client.write(chunk))
    if (frozen) {
      client.pause()
      upstream.pause()
    }
  }

  let server = net.createServer(onConnection)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port

  const listen = async () => {
    server = net.createServer(onConnection)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', resolve)
    })
  }
  const closeServer = () =>
    new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))
  const dropAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy()
      upstream?.destroy()
    }
    pairs.clear()
  }

  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async refuse() {
      mode = 'refuse'
      const closed = closeServer()
      dropAll()
      await closed
    },
    async blackhole() {
      mode = 'blackhole'
      dropAll()
      if (!server.listening) await listen()
    },
    freeze() {
      frozen = true
      for (const { client, upstream } of pairs) {
        client.pause()
        upstream?.pause()
      }
    },
    async restore() {
      mode = 'forward'
      frozen = false
      for (const { client, upstream } of pairs) {
        client.resume()
        upstream?.resume()
      }
      if (!server.listening) await listen()
    },
    async close() {
      mode = 'refuse'
      const closed = closeServer()
      dropAll()
      await closed
    },
  }
}
