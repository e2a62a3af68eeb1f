/**
 * A gateway refused the merchant's own credentials (EPay's `code -3`, an API key or shop id the gateway does not
 * know): no payment through it can work until the owner fixes its settings. `said` is the gateway's own word. A
 * provider throws it as the `cause` of the SDK's `PaymentProviderUnavailableError`, so the engine retries as for any
 * outage while the host can tell the owner (see {@link keyRefusalIn}).
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
