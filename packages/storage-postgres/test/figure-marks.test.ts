import { afterAll, describe, expect, it } from 'vitest';
import { createId, deriveRemoteIdentity } from '@panelkit/sdk';
import type { OrderPlacement, StoragePort } from '@panelkit/sdk/storage';
import { type SaleCatalog, pendingSubscriptionInput, seedSaleCatalog, sharedPGlite } from './helpers.js';
import { recordingStorage } from './support/recorded-storage.js';

const pglite = sharedPGlite();
afterAll(() => pglite.close());

/** One unit of the catalog's plan for its customer, debited 1 USD, with a job and an audit event as a checkout has. */
function placement(catalog: SaleCatalog): OrderPlacement {
  const orderId = createId('ord');
  const id = createId('sub');
  const customerId = catalog.customer.id;
  return {
    order: {
      id: orderId,
      customerId,
      items: [{ planId: catalog.plan.id, quantity: 1, unitPrice: { amount: 100, currency: 'USD' }, trial: false }],
      total: { amount: 100, currency: 'USD' },
      idempotencyKey: `k-${orderId}`,
      requestHash: 'sha256:x',
    },
    debit: {
      customerId,
      kind: 'purchase',
      amount: -100,
      currency: 'USD',
      idempotencyKey: `purchase:${orderId}`,
      orderId,
      actor: { type: 'customer', id: customerId },
    },
    subscriptions: [
      {
        ...pendingSubscriptionInput(catalog, id, { orderId }),
        remote: deriveRemoteIdentity(id, 0, { secret: 'figure-marks-secret-0123' }),
      },
    ],
    jobs: [{ type: 'test.provision', payload: { subscriptionId: id }, dedupeKey: `provision:${id}` }],
    audit: [{ actor: { type: 'customer', id: customerId }, action: 'order.placed', subjectType: 'order', subjectId: orderId }],
  };
}

/** Empties the inbox and returns the distinct ids it held. */
async function drain(storage: StoragePort): Promise<string[]> {
  const ids = new Set<string>();
  for (let taken = await storage.figures.take(1000); taken.length > 0; taken = await storage.figures.take(1000))
    for (const id of taken) ids.add(id);
  return [...ids].sort();
}

describe('figure marks on PostgreSQL (migration 39 triggers)', () => {
  it('orders.place marks its customer inside its own statements: the same statements as without the triggers', async () => {
    const { storage, statements, cleanup, schema } = await recordingStorage(pglite);
    const catalog = await seedSaleCatalog(storage);
    await storage.ledger.append({
      customerId: catalog.customer.id,
      kind: 'top_up',
      amount: 10_000,
      currency: 'USD',
      idempotencyKey: 'fund',
      actor: { type: 'system' },
    });
    await drain(storage);

    const place = async () => {
      statements.length = 0;
      const placed = await storage.orders.place(placement(catalog));
      expect(placed.ok).toBe(true);
      return [...statements];
    };
    const marked = await place();
    expect(await drain(storage)).toEqual([catalog.customer.id]);
    expect(marked.filter((s) => s.includes('figure_'))).toEqual([]);

    // The same checkout on the schema without migration 39's triggers: what it sent before them.
    const inner = await pglite.client();
    const { rows } = await inner.query<{ table: string; name: string }>(
      `SELECT c.relname AS table, t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = $1::regnamespace AND t.tgname LIKE 'figure_mark%'`,
      [schema],
    );
    expect(rows.length).toBeGreaterThanOrEqual(11);
    for (const r of rows) await inner.query(`DROP TRIGGER ${r.name} ON "${schema}".${r.table}`);
    const unmarked = await place();
    expect(await storage.figures.pending()).toBe(0);
    expect(marked).toHaveLength(unmarked.length);
    await cleanup();
  });

  it('usage writes (recordUsage, recordPanelUsage, updateMany of usedBytes) mark nothing; a status change in the same bulk call marks', async () => {
    const { storage, clock, cleanup } = await recordingStorage(pglite);
    const catalog = await seedSaleCatalog(storage);
    const subs = [];
    for (let i = 0; i < 3; i++) subs.push(await storage.subscriptions.create(pendingSubscriptionInput(catalog, createId('sub'))));
    const active = await storage.subscriptions.updateMany(
      subs.map((s) => ({ id: s.id, patch: { status: 'active' }, expectedRevision: s.revision })),
    );
    expect(await drain(storage)).toEqual([catalog.customer.id]);

    await storage.subscriptions.recordUsage(
      active.map((s) => ({ subscriptionId: s!.id, usedBytes: 100, observedAt: clock.advance(1000) })),
    );
    await storage.subscriptions.recordPanelUsage(
      catalog.panel.id,
      active.map((s) => ({ username: s!.remote.username, usedBytes: 200 })),
      { observedAt: clock.advance(1000), watchPercent: null },
    );
    const current = await Promise.all(active.map((s) => storage.subscriptions.get(s!.id)));
    const bulk = await storage.subscriptions.updateMany(
      current.map((s) => ({ id: s!.id, patch: { usedBytes: 300, usageObservedAt: clock.advance(1000) }, expectedRevision: s!.revision })),
    );
    expect(bulk.every((s) => s?.usedBytes === 300)).toBe(true);
    expect(await storage.figures.pending()).toBe(0);

    await storage.subscriptions.updateMany([
      { id: bulk[0]!.id, patch: { usedBytes: 400 }, expectedRevision: bulk[0]!.revision },
      { id: bulk[1]!.id, patch: { status: 'expired' }, expectedRevision: bulk[1]!.revision },
    ]);
    expect(await storage.figures.pending()).toBe(1);
    await cleanup();
  });
});
