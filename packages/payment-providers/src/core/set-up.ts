import { PaymentProviderUnavailableError } from '@panelkit/sdk';
import { readNow, type ReadWhenNeeded } from './read-when-needed.js';

/**
 * What a provider's `api` option reads now; `PaymentProviderUnavailableError` naming `providerId` when it reads `null`
 * (the gateway is off or not set up), so the engine refuses the payment typed and stores nothing.
 */
export async function readSetUp<T>(option: ReadWhenNeeded<T | null>, providerId: string, name: string): Promise<T> {
  const api = await readNow(option);
  if (api === null) throw new PaymentProviderUnavailableError(providerId, `${name} is not set up`);
  return api;
}
