import type { Redis } from '@punctual/queue'
import type { Logger } from 'pino'

/**
 * Subscribes to the cancel channel: the API publishes the id of a running execution whose cancel was
 * requested, and whoever runs it aborts it. Pub/sub is fire-and-forget (a message sent while this
 * connection is down is lost), so the runner also polls Postgres for `cancel_requested_at` as a fallback.
 * The subscription is (re)made whenever the connection becomes ready.
 */
export function listenForCancels(
  subscriber: Redis,
  channel: string,
  onCancel: (executionId: string) => void,
  logger: Logger,
): { close(): Promise<void> } {
  const onMessage = (from: string, message: string) => {
    if (from === channel && message) onCancel(message)
  }
  const subscribe = () => {
    subscriber.subscribe(channel).catch((err: Error) => {
      logger.debug({ err: err.message }, 'cancel channel subscribe failed; retried on reconnect')
    })
  }
  subscriber.on('message', onMessage)
  subscriber.on('ready', subscribe)
  if (subscriber.status === 'ready') subscribe()
  return {
    async close() {
      subscriber.off('ready', subscribe)
      subscriber.off('message', onMessage)
      if (subscriber.status === 'ready') await subscriber.unsubscribe(channel).catch(() => {})
    },
  }
}
