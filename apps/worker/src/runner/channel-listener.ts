import type { Redis } from '@punctual/queue'
import type { Logger } from 'pino'

/**
 * Subscribes to one of the runner's pub/sub channels: the cancel channel (the API publishes the id of a
 * running execution whose cancel was requested, and whoever runs it aborts it) and the ready channel (an
 * enqueue put work in `ready`: wake the claim loop). Pub/sub is fire-and-forget (a message sent while this
 * connection is down is lost), so each has a fallback: cancels are also polled from Postgres
 * (`cancel_requested_at`), the claim loop also polls the queue. The subscription is (re)made whenever the
 * connection becomes ready.
 */
export function listenOnChannel(
  subscriber: Redis,
  channel: string,
  onMessage: (message: string) => void,
  logger: Logger,
): { close(): Promise<void> } {
  const onAny = (from: string, message: string) => {
    if (from === channel && message) onMessage(message)
  }
  const subscribe = () => {
    subscriber.subscribe(channel).catch((err: Error) => {
      logger.debug({ err: err.message, channel }, 'channel subscribe failed; retried on reconnect')
    })
  }
  subscriber.on('message', onAny)
  subscriber.on('ready', subscribe)
  if (subscriber.status === 'ready') subscribe()
  return {
    async close() {
      subscriber.off('ready', subscribe)
      subscriber.off('message', onAny)
      if (subscriber.status === 'ready') await subscriber.unsubscribe(channel).catch(() => {})
    },
  }
}
