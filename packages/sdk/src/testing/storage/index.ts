import { afterEach, beforeEach, describe } from 'vitest';
import { assertSupportedVitest } from '../vitest-support.js';
import type { StoragePort } from '../../ports/storage.js';
import { ManualClock } from '../manual-clock.js';
import { auditSuite } from './audit.js';
import { orderSettlementSuite } from './order-settlement.js';
import { batchesSuite } from './batches.js';
import { capacitySuite } from './capacity.js';
import { concurrencySuite } from './concurrency.js';
import { customerRacesSuite } from './customer-races.js';
import { customersSuite } from './customers.js';
import { discountsSuite, referralsSuite } from './discounts.js';
import { dueQueriesSuite } from './due-queries.js';
import { dueMovementSuite } from './due-movement.js';
import { integritySuite } from './integrity.js';
import { jobsClaimSuite } from './jobs-claim.js';
import { jobsLeaseSuite } from './jobs-lease.js';
import { jobsParkSuite } from './jobs-park.js';
import { jobsSignalSuite } from './jobs-signal.js';
import { jobsSuite } from './jobs.js';
import { jobsSerialSuite } from './jobs-serial.js';
import { jobsSerialBacklogSuite } from './jobs-serial-backlog.js';
import { jobsBatchSuite } from './jobs-batch.js';
import { jobsOnceSuite } from './jobs-once.js';
import { jobsManySuite } from './jobs-many.js';
import { jobsRowsSuite } from './jobs-rows.js';
import { jobsSucceededSuite } from './jobs-succeeded.js';
import { kindsSuite } from './kinds.js';
import { ledgerSuite } from './ledger.js';
import { orderBooksSuite, salesSuite } from './order-books.js';
import { resellersSuite } from './resellers.js';
import { ordersSuite } from './orders.js';
import { checkoutContextSuite } from './checkout-context.js';
import { orderPlacementSuite } from './order-placement.js';
import { paymentsSuite } from './payments.js';
import { paymentMethodsSuite } from './payment-methods.js';
import { campaignsSuite } from './campaigns.js';
import { giftsSuite } from './gifts.js';
import { linkTokensSuite } from './link-tokens.js';
import { sharingSuite } from './sharing.js';
import { storefrontsSuite } from './storefronts.js';
import { payoutsSuite } from './payouts.js';
import { trialClaimsSuite } from './trial-claims.js';
import { guardSuite } from './guard.js';
import { locationsSuite } from './locations.js';
import { panelsTargetsSuite } from './panels-targets.js';
import { plansSuite } from './plans.js';
import { planBuilderSuite } from './plan-builder.js';
import { subscriptionsSuite } from './subscriptions.js';
import { subscriptionUpdateManySuite } from './subscription-update-many.js';
import type { SuiteEnv } from './support.js';
import { ticksSuite } from './ticks.js';
import { panelSlotsSuite } from './panel-slots.js';
import { devicesSuite } from './devices.js';
import { transactionsSuite } from './transactions.js';
import { usageSuite } from './usage.js';
import { panelUsageSuite } from './panel-usage.js';
import { figuresSuite } from './figures.js';
import { fullName } from '../task-name.js';

/** What the suite gives your storage factory for each test. */
export interface StorageFactoryContext {
  /** A fresh clock for this test; the storage must take its time from it. */
  clock: ManualClock;
  /** The running test's full name, e.g. to name a schema per test. */
  testName: string;
}

/** What your factory returns: the storage, and how to clean up and open replicas. */
export interface StorageUnderTest {
  /** A fresh, empty storage using `clock`. */
  storage: StoragePort;
  /** Called after the test instead of `storage.close()`, once the replicas the suite opened are closed. */
  cleanup?: () => Promise<void>;
  /**
   * Opens another storage on the same database and schema through connections of its own, as
   * another process would, for the races between replicas. Give it no retries of deadlocks (the
   * Postgres storage's `maxAttempts: 1`), so a race that deadlocks fails its test instead of
   * being retried away. The suite closes each one after the test, before `cleanup`. Omit it when
   * one process owns the data (memory): those races then run through `storage` alone.
   */
  openReplica?: () => Promise<StoragePort>;
}

/** Options of `describeStoragePort`. */
export interface DescribeStoragePortOptions {
  /** Skip the whole suite; a string is the reason, shown in the suite's name. */
  skip?: boolean | string;
}

/**
 * The storage conformance suite: every promise `StoragePort` makes, as tests. Each test gets a
 * fresh storage from `factory` with a fresh `ManualClock`, seeds its own data, and is cleaned up
 * afterwards (`cleanup` when given, `storage.close()` otherwise).
 *
 * ```ts
 * describeStoragePort('memory', async ({ clock }) => ({ storage: createMemoryStorage({ clock }) }));
 * ```
 */
export function describeStoragePort(
  name: string,
  factory: (ctx: StorageFactoryContext) => Promise<StorageUnderTest>,
  options: DescribeStoragePortOptions = {},
): void {
  assertSupportedVitest('describeStoragePort');
  const { skip } = options;
  const skipped = skip === true || typeof skip === 'string';
  const title = typeof skip === 'string' ? `storage port: ${name} (skipped: ${skip})` : `storage port: ${name}`;

  describe.skipIf(skipped)(title, () => {
    interface Current {
      storage: StoragePort;
      clock: ManualClock;
      cleanup: () => Promise<void>;
      openReplica?: (() => Promise<StoragePort>) | undefined;
      /** The replicas this test opened, closed before `cleanup`. */
      opened: StoragePort[];
    }
    let current: Current | undefined;

    const env: SuiteEnv = {
      get storage(): StoragePort {
        if (current === undefined) throw new Error('the storage is only available inside a test');
        return current.storage;
      },
      get clock(): ManualClock {
        if (current === undefined) throw new Error('the clock is only available inside a test');
        return current.clock;
      },
      async replicas(count: number): Promise<StoragePort[]> {
        if (current === undefined) throw new Error('replicas are only available inside a test');
        const { storage, openReplica, opened } = current;
        if (openReplica === undefined) return Array.from({ length: count }, () => storage);
        const fresh: StoragePort[] = [];
        for (let i = 0; i < count; i++) fresh.push(await openReplica());
        opened.push(...fresh);
        return fresh;
      },
    };

    beforeEach(async (context) => {
      const clock = new ManualClock();
      const underTest = await factory({ clock, testName: fullName(context.task) });
      if (typeof underTest?.storage?.transaction !== 'function') {
        throw new Error("describeStoragePort's factory must return { storage } with a StoragePort (migrated, on the clock it was given)");
      }
      const { storage } = underTest;
      current = { storage, clock, cleanup: underTest.cleanup ?? (() => storage.close()), openReplica: underTest.openReplica, opened: [] };
    });

    afterEach(async () => {
      const done = current;
      current = undefined;
      if (done === undefined) return;
      await Promise.all(done.opened.map((replica) => replica.close()));
      await done.cleanup();
    });

    panelsTargetsSuite(env);
    plansSuite(env);
    capacitySuite(env);
    customersSuite(env);
    batchesSuite(env);
    ledgerSuite(env);
    ordersSuite(env);
    checkoutContextSuite(env);
    orderPlacementSuite(env);
    orderSettlementSuite(env);
    subscriptionsSuite(env);
    subscriptionUpdateManySuite(env);
    usageSuite(env);
    panelUsageSuite(env);
    dueQueriesSuite(env);
    dueMovementSuite(env);
    jobsSuite(env);
    jobsClaimSuite(env);
    jobsLeaseSuite(env);
    jobsSerialSuite(env);
    jobsSerialBacklogSuite(env);
    jobsBatchSuite(env);
    jobsParkSuite(env);
    jobsSignalSuite(env);
    jobsManySuite(env);
    jobsRowsSuite(env);
    ticksSuite(env);
    panelSlotsSuite(env);
    auditSuite(env);
    transactionsSuite(env);
    concurrencySuite(env);
    customerRacesSuite(env);
    integritySuite(env);
    discountsSuite(env);
    referralsSuite(env);
    resellersSuite(env);
    jobsOnceSuite(env);
    jobsSucceededSuite(env);
    orderBooksSuite(env);
    salesSuite(env);
    paymentsSuite(env);
    paymentMethodsSuite(env);
    giftsSuite(env);
    devicesSuite(env);
    campaignsSuite(env);
    linkTokensSuite(env);
    sharingSuite(env);
    storefrontsSuite(env);
    payoutsSuite(env);
    planBuilderSuite(env);
    trialClaimsSuite(env);
    locationsSuite(env);
    kindsSuite(env);
    guardSuite(env);
    figuresSuite(env);
  });
}
