import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError, createId } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, migrate } from '../src/index.js';
import type { SqlClient } from '../src/index.js';
import { dropSchema, pendingSubscriptionInput, seedSaleCatalog, sharedPGlite, uniqueSchema } from './helpers.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

/**
 * A storage on a fresh schema whose transactions' statements are recorded; `broken.action` makes an
 * insert with that parameter (a job of that type) come back without its row, as if the call threw right
 * after its write went through.
 */
async function recordedStorage() {
  const inner = await pglite.client();
  const schema = uniqueSchema();
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  await migrate(inner, { schema, clock });
  const statements: string[] = [];
  const broken = { action: null as string | null };
  const recording: SqlClient = {
    concurrent: false,
    query: (text, params) => inner.query(text, params),
    transaction: (fn) =>
      inner.transaction((db) =>
        fn({
          async query<R>(text: string, params?: readonly unknown[]) {
            statements.push(text.replace(/\s+/g, ' ').trim());
            const result = await db.query<R>(text, params);
            const breaks = broken.action !== null && text.includes('INSERT INTO') && params?.includes(broken.action) === true;
            return breaks ? { rows: [] } : result;
          },
        }),
      ),
  };
  const storage = createPostgresStorage({ client: recording, schema, clock });
  return { storage, statements, broken, cleanup: () => dropSchema(inner, schema) };
}

/** Two pending subscriptions on one panel, and an order. */
async function seed(storage: StoragePort) {
  const catalog = await seedSaleCatalog(storage);
  const order = await storage.orders.create({
    customerId: catalog.customer.id,
    items: [{ planId: catalog.plan.id, quantity: 2, unitPrice: { amount: 1, currency: 'USD' }, trial: false }],
    total: { amount: 2, currency: 'USD' },
    idempotencyKey: 'k',
    requestHash: 'h',
  });
  const subscription = (id: string) => storage.subscriptions.create(pendingSubscriptionInput(catalog, id, { orderId: order.id }));
  return { order, first: await subscription(createId('sub')), second: await subscription(createId('sub')) };
}

const event = (action: string) => ({ actor: { type: 'system' as const }, action, subjectType: 'test', subjectId: 'x' });

describe('optimistic writes in a transaction (no savepoint unless one fails)', () => {
  it('run bare: a subscription update, audit events, an order update in one statement, a job completion', async () => {
    const { storage, statements, cleanup } = await recordedStorage();
    const { order, first } = await seed(storage);
    statements.length = 0;
    const updated = await storage.transaction(async (tx) => {
      const sub = await tx.subscriptions.update(first.id, { status: 'active' }, { expectedRevision: first.revision });
      await tx.audit.append(event('test.one'));
      await tx.orders.update(order.id, {});
      const settled = await tx.orders.update(order.id, { status: 'completed' });
      expect(await tx.jobs.complete({ jobId: 'job_missing', token: 'nope' })).toBe(false);
      return { sub, settled };
    });
    expect(statements.filter((s) => /SAVEPOINT/.test(s))).toEqual([]);
    // The subscription's update, the audit insert, the order's lock, its update, the completion.
    expect(statements).toHaveLength(5);
    expect(updated.sub).toMatchObject({ status: 'active', revision: first.revision + 1 });
    expect(updated.settled).toMatchObject({ status: 'completed', ledgerEntryId: null });
    expect(await storage.orders.get(order.id)).toEqual(updated.settled);
    await cleanup();
  });

  it('one refused before it wrote (a stale revision) leaves the transaction going on, without a replay', async () => {
    const { storage, statements, cleanup } = await recordedStorage();
    const { first } = await seed(storage);
    statements.length = 0;
    let runs = 0;
    await storage.transaction(async (tx) => {
      runs++;
      await tx.audit.append(event('test.before'));
      await expect(tx.subscriptions.update(first.id, { status: 'active' }, { expectedRevision: first.revision + 7 })).rejects.toSatisfy(
        (e) => ConflictError.is(e),
      );
      await tx.audit.append(event('test.after'));
    });
    expect(runs).toBe(1);
    expect(statements.filter((s) => /SAVEPOINT/.test(s))).toEqual([]);
    const actions = (await storage.audit.list({ subjectId: 'x' }, { limit: 10 })).items.map((e) => e.action).sort();
    expect(actions).toEqual(['test.after', 'test.before']);
    expect(await storage.subscriptions.get(first.id)).toEqual(first);
    await cleanup();
  });

  it('one the database refuses (a taken username) is replayed under savepoints: the caller that catches it goes on', async () => {
    const { storage, statements, cleanup } = await recordedStorage();
    const { first, second } = await seed(storage);
    statements.length = 0;
    let runs = 0;
    const caught = await storage.transaction(async (tx) => {
      runs++;
      await tx.audit.append(event('test.before'));
      const refused = await tx.subscriptions
        .update(second.id, { remote: first.remote }, { expectedRevision: second.revision })
        .catch((e: unknown) => e);
      await tx.audit.append(event('test.after'));
      return refused;
    });
    expect(ConflictError.is(caught)).toBe(true);
    expect(runs).toBe(2);
    expect(statements.filter((s) => s.startsWith('SAVEPOINT'))).toHaveLength(3);
    const actions = (await storage.audit.list({ subjectId: 'x' }, { limit: 10 })).items.map((e) => e.action).sort();
    expect(actions).toEqual(['test.after', 'test.before']);
    expect(await storage.subscriptions.get(second.id)).toEqual(second);

    // Not caught: the transaction fails with it, and nothing it wrote stays.
    await expect(
      storage.transaction(async (tx) => {
        await tx.audit.append(event('test.lost'));
        await tx.subscriptions.update(second.id, { remote: first.remote }, { expectedRevision: second.revision });
      }),
    ).rejects.toSatisfy((e) => ConflictError.is(e));
    expect((await storage.audit.list({ subjectId: 'x' }, { limit: 10 })).items).toHaveLength(2);
    await cleanup();
  });

  it('one that throws after its write went through is replayed: what it wrote does not stay', async () => {
    const { storage, broken, cleanup } = await recordedStorage();
    await seed(storage);
    broken.action = 'test.broken';
    let runs = 0;
    const caught = await storage.transaction(async (tx) => {
      runs++;
      await tx.audit.append(event('test.before'));
      // An enqueue reads its row back (an audit event's is not read back): broken, it throws past its insert.
      const thrown = await tx.jobs.enqueue({ type: 'test.broken', payload: {} }).catch((e: unknown) => e);
      await tx.audit.append(event('test.after'));
      return thrown;
    });
    expect(caught).toBeInstanceOf(Error);
    expect(runs).toBe(2);
    const actions = (await storage.audit.list({ subjectId: 'x' }, { limit: 10 })).items.map((e) => e.action).sort();
    expect(actions).toEqual(['test.after', 'test.before']);
    expect((await storage.jobs.list({ type: 'test.broken' }, { limit: 10 })).items).toEqual([]);
    await cleanup();
  });
});
