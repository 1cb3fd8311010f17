/** An error's message for a log line or an event (its name when the message is empty; anything thrown). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err)
}
