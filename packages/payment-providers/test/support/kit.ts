/**
 * The kit every test of the package runs: no panels (payments only), the test identity policy, and the providers
 * under test. Free of vitest, so a replica process (`sweep-replica.ts`) builds the same kit as its parent.
 */
import { type Clock, createPanelkit, type PaymentProvider } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';

/** A kit on `storage` and `clock` taking payments through `providers`. */
export function testKit(storage: StoragePort, clock: Clock, providers: PaymentProvider[]) {
  return createPanelkit({
    storage,
    clock,
    panels: () => null as never,
    policy: { identity: { secret: 'payment-providers-test-secret-0123456789', prefix: 'pk' } },
    payments: { providers },
  });
}
