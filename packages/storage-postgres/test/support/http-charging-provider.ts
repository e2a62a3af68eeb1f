import { PaymentProviderUnavailableError, testPaymentProvider, type PaymentProvider } from '@panelkit/sdk';

/**
 * The SDK's test provider (instant, saves a "test card"), whose off-session charges go to a fake provider over
 * HTTP at `url` (`POST /charge` with the idempotency key), so processes sharing a database share its world.
 */
export function httpChargingProvider(url: string): PaymentProvider {
  const base = testPaymentProvider({ savedMethods: true });
  return {
    ...base,
    async chargeSavedMethod(request) {
      const response = await fetch(`${url}/charge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: request.idempotencyKey, amount: request.amount }),
      }).catch((error: unknown) => {
        throw new PaymentProviderUnavailableError('test', 'the fake provider is unreachable', { cause: error });
      });
      if (!response.ok) throw new PaymentProviderUnavailableError('test', `the fake provider answered ${response.status}`);
      const { ref } = (await response.json()) as { ref: string };
      return { status: 'succeeded', externalRef: ref, amount: request.amount };
    },
  };
}
