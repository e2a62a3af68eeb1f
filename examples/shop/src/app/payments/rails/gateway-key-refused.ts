/**
 * A gateway refused the merchant's own credentials (EPay's `code -3`: no such merchant id, or a key that is not the
 * merchant's): no top-up through it can work until the owner fixes its settings. `said` is the gateway's own word.
 */
export class GatewayKeyRefusedError extends Error {
  constructor(readonly said: string) {
    super(`the gateway refused the merchant id or key (${said})`);
    this.name = 'GatewayKeyRefusedError';
  }
}

/** The key refusal that `error` is or was caused by (a provider's error wraps it as its `cause`), else `null`. */
export function keyRefusalIn(error: unknown): GatewayKeyRefusedError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof GatewayKeyRefusedError) return current;
    current = current.cause;
  }
  return null;
}
