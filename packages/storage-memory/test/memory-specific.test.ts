import { ConflictError, StorageMisuseError, ValidationError } from '@panelkit/sdk';
import { STORAGE_PORT_VERSION } from '@panelkit/sdk/storage';
import type { StoragePort, StorageTransaction } from '@panelkit/sdk/storage';
import { ManualClock } from '@panelkit/sdk/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../src/index.js';
import { Rollback, seedSubscription } from './helpers.js';

const DAY = 86_400_000;

let clock: ManualClock;
let storage: StoragePort;

beforeEach(() => {
  clock = new ManualClock('2026-01-01T00:00:00.000Z');
  storage = createMemoryStorage({ clock });
});

function daysFromNow(days: number): Date {
  return new Date(clock.now().getTime() + days * DAY);
}

async function expiringIds(days: number): Promise<string[]> {
  const page = await storage.subscriptions.listDue(
    { kind: 'expiring', statuses: ['active', 'limited'], to: daysFromNow(days) },
    { limit: 100 },
  );
  return page.items.map((s) => s.id);
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('memory storage: describing itself', () => {
  it('declares its kind, port version and capabilities', () => {
    expect(storage.kind).toBe('memory');
    expect(storage.portVersion).toBe(STORAGE_PORT_VERSION);
    expect(storage.capabilities).toEqual({ transactions: 'process', multiProcess: false });
    expect(storage.jobsQueued).toBeDefined();
  });

  it('uses the system clock when none is given', async () => {
    const plain = createMemoryStorage();
    const before = Date.now();
    const customer = await plain.customers.create({});
    expect(customer.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(customer.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
  });
});

describe('memory storage: rollback restores indexes', () => {
  it('a due query after a rolled-back update returns the old answer', async () => {
    const sub = await seedSubscription(storage, { expiresAt: daysFromNow(2) });
    expect(await expiringIds(3)).toEqual([sub.id]);

    const error = await rejectionOf(
      storage.transaction(async (tx) => {
        const moved = await tx.subscriptions.update(
          sub.id,
          { expiresAt: daysFromNow(30), status: 'suspended' },
          { expectedRevision: sub.revision },
        );
        expect(moved.status).toBe('suspended');
        // Inside the transaction the index already follows the write.
        expect(
          (await tx.subscriptions.listDue({ kind: 'expiring', statuses: ['active'], to: daysFromNow(3) }, { limit: 10 })).items,
        ).toEqual([]);
        throw new Rollback();
      }),
    );
    expect(error).toBeInstanceOf(Rollback);

    expect(await expiringIds(3)).toEqual([sub.id]);
    expect(await expiringIds(1)).toEqual([]);
    const stale = await storage.subscriptions.listDue(
      { kind: 'stale_status', statuses: ['suspended'], before: daysFromNow(1) },
      { limit: 10 },
    );
    expect(stale.items).toEqual([]);
    expect(await storage.subscriptions.countByStatus()).toMatchObject({ active: 1, suspended: 0 });
    expect(await storage.subscriptions.countByStatus({ panelId: sub.panelId })).toMatchObject({ active: 1, suspended: 0 });
    expect(await storage.subscriptions.get(sub.id)).toEqual(sub);
  });

  it('rolled-back usage leaves the over_limit and first_use sets as they were', async () => {
    const active = await seedSubscription(storage, { trafficLimitBytes: 1000, usedBytes: 10 });
    const onHold = await seedSubscription(storage, { status: 'on_hold' });
    await expect(
      storage.transaction(async (tx) => {
        const written = await tx.subscriptions.recordUsage([
          { subscriptionId: active.id, usedBytes: 5000, observedAt: clock.now() },
          { subscriptionId: onHold.id, usedBytes: 1, observedAt: clock.now() },
        ]);
        expect(written).toEqual({ applied: 2, ignored: 0 });
        expect((await tx.subscriptions.listDue({ kind: 'over_limit' }, { limit: 10 })).items.map((s) => s.id)).toEqual([active.id]);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect((await storage.subscriptions.listDue({ kind: 'over_limit' }, { limit: 10 })).items).toEqual([]);
    expect((await storage.subscriptions.listDue({ kind: 'first_use' }, { limit: 10 })).items).toEqual([]);
    // The same readings apply afterwards: nothing of the rolled-back attempt remains.
    expect(await storage.subscriptions.recordUsage([{ subscriptionId: active.id, usedBytes: 5000, observedAt: clock.now() }])).toEqual({
      applied: 1,
      ignored: 0,
    });
    expect((await storage.subscriptions.listDue({ kind: 'over_limit' }, { limit: 10 })).items.map((s) => s.id)).toEqual([active.id]);
  });

  it('rolled-back inserts free their unique keys and leave lists, balances and the queue unchanged', async () => {
    const customer = await storage.customers.create({ email: 'kept@example.com' });
    await storage.ledger.append({
      customerId: customer.id,
      kind: 'top_up',
      amount: 500,
      currency: 'EUR',
      idempotencyKey: 'k0',
      actor: { type: 'system' },
    });
    const queued = (await storage.jobs.enqueue({ type: 'demo.work', dedupeKey: 'key-1' })).job;

    await expect(
      storage.transaction(async (tx) => {
        await tx.customers.create({ email: 'Gone@Example.com', externalRef: 'ext-1' });
        await tx.customers.update(customer.id, { email: 'renamed@example.com' });
        await tx.ledger.append({
          customerId: customer.id,
          kind: 'purchase',
          amount: -200,
          currency: 'EUR',
          idempotencyKey: 'k1',
          actor: { type: 'system' },
        });
        await tx.ledger.append({
          customerId: customer.id,
          kind: 'top_up',
          amount: 7,
          currency: 'USD',
          idempotencyKey: 'k2',
          actor: { type: 'system' },
        });
        const [claimed] = await tx.jobs.claim({ workerId: 'w', limit: 1, leaseMs: 1000 });
        expect(claimed?.job.id).toBe(queued.id);
        await tx.jobs.enqueue({ type: 'demo.work', dedupeKey: 'key-1' });
        expect(await tx.ticks.tryAcquire('daily', clock.now())).toBe(true);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);

    expect(await storage.customers.getByEmail('gone@example.com')).toBeNull();
    expect(await storage.customers.getByExternalRef('ext-1')).toBeNull();
    expect(await storage.customers.getByEmail('kept@example.com')).toMatchObject({ id: customer.id });
    expect(await storage.customers.getByEmail('renamed@example.com')).toBeNull();
    expect((await storage.customers.list({ limit: 10 })).items.map((c) => c.id)).toEqual([customer.id]);
    expect(await storage.ledger.balances(customer.id)).toEqual([{ amount: 500, currency: 'EUR' }]);
    expect(await storage.ledger.getByIdempotencyKey('k1')).toBeNull();
    expect((await storage.jobs.list({}, { limit: 10 })).items).toEqual([queued]);
    expect(await storage.ticks.tryAcquire('daily', clock.now())).toBe(true);

    // The freed keys can be taken again, and the job can be claimed for real.
    await storage.customers.create({ email: 'gone@example.com', externalRef: 'ext-1' });
    const claimed = await storage.jobs.claim({ workerId: 'w', limit: 5, leaseMs: 1000 });
    expect(claimed.map((c) => c.job.id)).toEqual([queued.id]);
  });

  it('a failed call inside a transaction undoes only itself; the transaction goes on', async () => {
    const customer = await storage.customers.create({});
    const balance = await storage.transaction(async (tx) => {
      await tx.ledger.append({
        customerId: customer.id,
        kind: 'top_up',
        amount: 100,
        currency: 'USD',
        idempotencyKey: 'a',
        actor: { type: 'system' },
      });
      await expect(
        tx.ledger.append({
          customerId: customer.id,
          kind: 'purchase',
          amount: -500,
          currency: 'USD',
          idempotencyKey: 'b',
          actor: { type: 'system' },
        }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
      await expect(tx.customers.create({ email: 'not-an-email' })).rejects.toSatisfy((e: unknown) => ValidationError.is(e));
      return tx.ledger.balance(customer.id, 'USD');
    });
    expect(balance).toBe(100);
    expect(await storage.ledger.balance(customer.id, 'USD')).toBe(100);
    expect(await storage.ledger.getByIdempotencyKey('b')).toBeNull();
  });

  it('an update that would break a unique key is a ConflictError and changes nothing', async () => {
    const a = await seedSubscription(storage);
    const b = await seedSubscription(storage);
    await expect(
      storage.subscriptions.update(b.id, { panelId: a.panelId, remote: a.remote }, { expectedRevision: b.revision }),
    ).rejects.toSatisfy((e: unknown) => ConflictError.is(e));
    expect(await storage.subscriptions.get(b.id)).toEqual(b);
    expect(await storage.subscriptions.getByUsername(b.panelId, b.remote.username)).toEqual(b);
  });
});

describe('memory storage: misuse', () => {
  it('calling the storage itself inside a transaction callback throws StorageMisuseError instead of hanging', async () => {
    const customer = await storage.customers.create({});
    const inner: unknown[] = [];
    await storage.transaction(async (tx) => {
      await tx.customers.update(customer.id, { name: 'in tx' });
      inner.push(await rejectionOf(storage.customers.get(customer.id)));
      inner.push(await rejectionOf(storage.transaction(async () => 1)));
      inner.push(await rejectionOf(storage.close()));
      // Also from a callback scheduled inside the transaction.
      inner.push(await new Promise((resolve) => setTimeout(() => resolve(rejectionOf(storage.jobs.reapExpired())), 1)));
    });
    expect(inner).toHaveLength(4);
    for (const error of inner) expect(StorageMisuseError.is(error)).toBe(true);
    expect((inner[0] as Error).message).toMatch(/customers\.get.*tx/);
    // The transaction still committed, and the storage works normally afterwards.
    expect(await storage.customers.get(customer.id)).toMatchObject({ name: 'in tx' });
  });

  it('a tx used after its transaction finished throws StorageMisuseError', async () => {
    let leaked: StorageTransaction | undefined;
    await storage.transaction(async (tx) => {
      leaked = tx;
    });
    let rolledBack: StorageTransaction | undefined;
    await expect(
      storage.transaction(async (tx) => {
        rolledBack = tx;
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    for (const tx of [leaked, rolledBack]) {
      if (tx === undefined) throw new Error('no tx captured');
      const error = await rejectionOf(tx.customers.create({}));
      expect(StorageMisuseError.is(error)).toBe(true);
      expect((error as Error).message).toMatch(/tx\.customers\.create.*finished/);
    }
    expect((await storage.customers.list({ limit: 10 })).items).toEqual([]);
  });

  it('a storage call left running after its transaction ended is allowed (the lock is free again)', async () => {
    let later: Promise<unknown> | undefined;
    await storage.transaction(async () => {
      later = new Promise((resolve) => setTimeout(resolve, 5)).then(() => storage.customers.create({ name: 'later' }));
    });
    await expect(later).resolves.toMatchObject({ name: 'later' });
  });

  it('refuses calls after close, and close is idempotent', async () => {
    await storage.customers.create({});
    await storage.close();
    await storage.close();
    expect(StorageMisuseError.is(await rejectionOf(storage.customers.list({ limit: 1 })))).toBe(true);
    expect(StorageMisuseError.is(await rejectionOf(storage.transaction(async () => 1)))).toBe(true);
  });
});

describe('memory storage: isolation', () => {
  it('callers outside a transaction never see its uncommitted writes', async () => {
    const customer = await storage.customers.create({ name: 'before' });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => {
      wrote = resolve;
    });
    const transaction = storage.transaction(async (tx) => {
      await tx.customers.update(customer.id, { name: 'uncommitted' });
      wrote();
      await gate;
      throw new Rollback();
    });
    await written;
    const read = storage.customers.get(customer.id);
    release();
    await expect(transaction).rejects.toBeInstanceOf(Rollback);
    await expect(read).resolves.toMatchObject({ name: 'before' });
  });
});

describe('memory storage: copies', () => {
  it('mutating a returned object never changes stored state', async () => {
    const sub = await seedSubscription(storage, { expiresAt: daysFromNow(2) });
    sub.status = 'terminated';
    sub.shareLinks.push('vless://x');
    sub.remote.username = 'hijacked';
    sub.expiresAt?.setTime(0);
    const again = await storage.subscriptions.get(sub.id);
    expect(again).toMatchObject({ status: 'active', shareLinks: [] });
    expect(again?.remote.username).not.toBe('hijacked');
    expect(again?.expiresAt).toEqual(daysFromNow(2));

    const [listed] = (await storage.subscriptions.listDue({ kind: 'expiring', statuses: ['active'], to: daysFromNow(3) }, { limit: 1 }))
      .items;
    listed?.notices.push('x');
    expect((await storage.subscriptions.get(sub.id))?.notices).toEqual([]);

    const panels = await storage.panels.list();
    panels[0]!.locationTags.push('de');
    panels[0]!.health.consecutiveFailures = 99;
    expect((await storage.panels.list())[0]).toMatchObject({ locationTags: [], health: { consecutiveFailures: 0 } });

    const { job } = await storage.jobs.enqueue({ type: 'demo.work', payload: { n: 1 } });
    job.payload['n'] = 2;
    const [claimed] = await storage.jobs.claim({ workerId: 'w', limit: 1, leaseMs: 1000 });
    expect(claimed?.job.payload).toEqual({ n: 1 });
    claimed!.job.state = 'dead';
    expect((await storage.jobs.get(job.id))?.state).toBe('running');
  });

  it('mutating an input object (or its dates) after the call never changes stored state', async () => {
    const runAt = daysFromNow(1);
    const payload = { items: [1, 2] };
    const { job } = await storage.jobs.enqueue({ type: 'demo.work', payload, runAt });
    payload.items.push(3);
    runAt.setTime(0);
    expect(await storage.jobs.get(job.id)).toMatchObject({ payload: { items: [1, 2] }, runAt: daysFromNow(1) });

    const panelInput = {
      kind: 'marzban',
      name: 'p',
      baseUrl: 'https://p.example.com',
      credentials: { type: 'password' as const, username: 'admin', password: 'pw' },
      locationTags: ['de'],
    };
    const panel = await storage.panels.create(panelInput);
    panelInput.locationTags.push('fr');
    panelInput.credentials.password = 'changed';
    expect(await storage.panels.get(panel.id)).toMatchObject({ locationTags: ['de'], credentials: { password: 'pw' } });
  });
});

describe('memory storage: cursors and paging', () => {
  it('pages a multi-status expiring query in (expiresAt, id) order without gaps or repeats', async () => {
    const subs = [];
    for (let i = 0; i < 7; i++) {
      subs.push(await seedSubscription(storage, { status: i % 2 === 0 ? 'active' : 'limited', expiresAt: daysFromNow(1 + (i % 3)) }));
    }
    const expected = [...subs]
      .sort((a, b) => a.expiresAt!.getTime() - b.expiresAt!.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((s) => s.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<StoragePort['subscriptions']['listDue']>> = await storage.subscriptions.listDue(
        { kind: 'expiring', statuses: ['active', 'limited', 'active'], to: daysFromNow(10) },
        { limit: 3, cursor },
      );
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(expected);
  });

  it('rejects a cursor it did not make, and page limits outside 1..1000', async () => {
    const bad = [
      storage.customers.list({ limit: 10, cursor: 'not-a-cursor' }),
      storage.subscriptions.listDue({ kind: 'over_limit' }, { limit: 10, cursor: Buffer.from('[1,"x"]').toString('base64url') }),
      storage.customers.list({ limit: 0 }),
      storage.customers.list({ limit: 1001 }),
    ];
    for (const call of bad) expect(ValidationError.is(await rejectionOf(call))).toBe(true);
  });
});
