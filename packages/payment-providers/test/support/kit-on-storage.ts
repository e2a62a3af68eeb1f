import { createPanelkit, type Panelkit, type PaymentProvider } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { afterEach } from 'vitest';
import type { StorageKind } from './storages.js';

/** A kit with `providers` on a fresh storage, a buyer, and what closes it all. */
export interface KitUnderTest {
  kit: Panelkit;
  storage: StoragePort;
  buyer: string;
  close(): Promise<void>;
}

/** A kit on a fresh storage of `kind` (a new schema on PostgreSQL) with one buyer; `close` drops what it made. */
export async function kitOn(kind: StorageKind, providers: PaymentProvider[]): Promise<KitUnderTest> {
  const clock = new ManualClock('2026-03-01T00:00:00.000Z');
  const { storage, cleanup } = await kind.make(clock);
  const kit = createPanelkit({
    storage,
    clock,
    panels: () => null as never,
    policy: { identity: { secret: 'payment-providers-test-secret-0123456789', prefix: 'pk' } },
    payments: { providers },
  });
  const buyer = (await storage.customers.create({ email: 'buyer@example.com' })).id;
  return { kit, storage, buyer, close: cleanup };
}

/**
 * {@link kitOn} for the tests of one `describe` block: every kit a test opens is closed after it (its PostgreSQL schema
 * dropped), however the test ended.
 */
export function kitsClosedAfterEach(): (kind: StorageKind, providers: PaymentProvider[]) => Promise<KitUnderTest> {
  const open: KitUnderTest[] = [];
  afterEach(async () => {
    for (const made of open.splice(0)) await made.close();
  });
  return async (kind, providers) => {
    const made = await kitOn(kind, providers);
    open.push(made);
    return made;
  };
}
