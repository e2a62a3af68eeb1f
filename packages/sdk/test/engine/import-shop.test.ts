import { describe, expect, it } from 'vitest';
import { ValidationError, importedSubscriptionId } from '../../src/index.js';
import type { ImportBatch } from '../../src/index.js';
import type { ClientSpec } from '../../src/adapter.js';
import { adoptedState } from '../../src/engine/import/adopted-state.js';
import type { RemoteClient } from '../../src/adapter.js';
import { GiB, createHarness } from './harness.js';

const DAY = 86_400_000;
const ctx = { signal: new AbortController().signal, idempotencyKey: 'old-bot' };

function oldClient(username: string, expiresAt: Date): ClientSpec {
  return {
    identity: {
      username,
      uuid: '0b7c3a52-3f3e-4b7e-9c1e-2d7c1f0a9e11',
      password: 'old-password',
      subId: 'oldsub',
      ssKey: 'old-key',
      generation: 0,
      adopted: true,
    },
    expiry: { type: 'at', at: expiresAt },
    trafficLimitBytes: 20 * GiB,
    deviceLimit: null,
    enabled: true,
  };
}

async function setup(capacity: number | null = null) {
  const h = await createHarness({ panel: { capacity } });
  const [{ panel, target, fake }] = h.panels as [(typeof h.panels)[number]];
  const end = new Date(h.clock.now().getTime() + 10 * DAY);
  await fake.createClients(target, [oldClient('Old.One', end), oldClient('old_two', end)], ctx);
  const batch: ImportBatch = {
    source: 'oldbot',
    currency: 'USD',
    customers: [{ ref: '1', externalRef: 'telegram:1', telegramId: '1', balance: 500 }],
    services: [
      { ref: 'a', customerRef: '1', panelId: panel.id, username: 'Old.One' },
      { ref: 'b', customerRef: '1', panelId: panel.id, username: 'old_two' },
    ],
  };
  return { h, panel, target, fake, batch };
}

describe('kit.importShop', () => {
  it('refuses a bad batch with a ValidationError and writes nothing', async () => {
    const { h, batch } = await setup();
    await expect(h.kit.importShop({ ...batch, source: 'Not A Source' })).rejects.toBeInstanceOf(ValidationError);
    await expect(h.kit.importShop({ ...batch, customers: [{ ref: '1', externalRef: 'x', balance: -5 }] })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await h.storage.customers.getByExternalRef('telegram:1')).toBeNull();
  });

  it('a full target leaves the service in the report; with room, a rerun adopts it and credits nothing again', async () => {
    const { h, target, fake, batch } = await setup(1);
    const first = await h.kit.importShop(batch);
    expect(first.services).toEqual({ created: 1, exists: 0, unmapped: 1 });
    expect(first.rows.find((r) => r.ref === 'b')?.reason).toBe('target_full');
    await h.storage.targets.update(target.id, { capacity: 5 });
    const second = await h.kit.importShop(batch);
    expect(second.services).toEqual({ created: 1, exists: 1, unmapped: 0 });
    expect(second.balances.credited).toBe(0);
    expect((await h.storage.targets.get(target.id))?.allocated).toBe(2);
    expect(fake.calls.createClients).toBe(1); // the old bot's own create; the import made none
  });

  it('a client this shop already holds is not adopted twice', async () => {
    const { h, panel, batch } = await setup();
    await h.kit.importShop(batch);
    const again = await h.kit.importShop({
      ...batch,
      source: 'other',
      services: [{ ref: 'x', customerRef: '1', panelId: panel.id, username: 'old_two' }],
    });
    expect(again.rows.find((r) => r.kind === 'service')).toMatchObject({ outcome: 'unmapped', reason: 'client_already_owned' });
  });

  it('usage sync, suspension and termination address the adopted client by its own username', async () => {
    const { h, fake, batch } = await setup();
    await h.kit.importShop(batch);
    const id = importedSubscriptionId('oldbot', 'a');
    fake.addTraffic('Old.One', 3 * GiB);
    h.clock.advance(120_000);
    await h.kit.createScheduler().tick();
    expect((await h.storage.subscriptions.get(id))?.usedBytes).toBe(3 * GiB);
    await h.kit.suspend({ subscriptionId: id, reason: 'test' });
    await h.worker().drain();
    expect(fake.client('Old.One')?.enabled).toBe(false);
    await h.kit.terminate({ subscriptionId: id, reason: 'test' });
    await h.worker().drain();
    expect(fake.client('Old.One')).toBeUndefined();
    expect(fake.client('old_two')).toBeDefined();
  });
});

describe('kit.importShop in chunks', () => {
  const BUYERS = 1_100;

  /** An old shop of `BUYERS` buyers, each with a balance and a live client, on a kit whose transactions are counted. */
  async function bigShop() {
    let transactions = 0;
    const h = await createHarness({
      wrapStorage: (storage) =>
        new Proxy(storage, {
          get(target, key, receiver) {
            if (key !== 'transaction') return Reflect.get(target, key, receiver);
            return (fn: Parameters<typeof storage.transaction>[0]) => {
              transactions++;
              return target.transaction(fn);
            };
          },
        }),
    });
    const [{ panel, target, fake }] = h.panels as [(typeof h.panels)[number]];
    const end = new Date(h.clock.now().getTime() + 10 * DAY);
    const names = Array.from({ length: BUYERS }, (_, i) => `old_${i}`);
    await fake.createClients(
      target,
      names.map((n) => oldClient(n, end)),
      ctx,
    );
    const batch: ImportBatch = {
      source: 'big',
      currency: 'USD',
      customers: names.map((_, i) => ({ ref: String(i), externalRef: `telegram:${i + 1}`, telegramId: String(i + 1), balance: 100 + i })),
      plans: [{ ref: 'p', name: 'Monthly', price: 1000, durationDays: 30, trafficBytes: 20 * GiB }],
      services: names.map((username, i) => ({ ref: `s${i}`, customerRef: String(i), planRef: 'p', panelId: panel.id, username })),
    };
    return { h, batch, target, transactions: () => transactions };
  }

  it('writes many rows per transaction, and a rerun writes none and changes nothing', async () => {
    const { h, batch, target, transactions } = await bigShop();
    const first = await h.kit.importShop(batch);
    expect(first.customers.created).toBe(BUYERS);
    expect(first.balances).toMatchObject({ created: BUYERS, credited: BUYERS * 100 + (BUYERS * (BUYERS - 1)) / 2 });
    expect(first.services.created).toBe(BUYERS);
    // Three chunks of customers, the plan, three chunks of services: not one transaction a row.
    expect(transactions()).toBe(7);
    expect((await h.storage.targets.get(target.id))?.allocated).toBe(BUYERS);
    const customer = await h.storage.customers.getByExternalRef('telegram:1000');
    expect(await h.storage.ledger.balance(customer!.id, 'USD')).toBe(1099);
    const again = await h.kit.importShop(batch);
    expect(transactions()).toBe(10); // the customers' chunks find every key stored; services and the plan write nothing
    expect(again.customers).toEqual({ created: 0, exists: BUYERS, unmapped: 0 });
    expect(again.balances).toMatchObject({ created: 0, exists: BUYERS, credited: 0 });
    expect(again.services).toEqual({ created: 0, exists: BUYERS, unmapped: 0 });
    expect(await h.storage.ledger.balance(customer!.id, 'USD')).toBe(1099);
    expect((await h.storage.targets.get(target.id))?.allocated).toBe(BUYERS);
    const audited = await h.storage.audit.list({ subjectType: 'subscription' }, { limit: 1000 });
    expect(audited.items.filter((e) => e.action === 'subscription.imported')).toHaveLength(1000);
  });

  it('tells its progress after every chunk, up to every row', async () => {
    const { h, batch } = await bigShop();
    const heard: unknown[] = [];
    await h.kit.importShop(batch, { onProgress: (p) => void heard.push({ ...p }) });
    const total = BUYERS * 2 + 1;
    expect(heard).toEqual([
      { phase: 'customers', done: 500, total },
      { phase: 'customers', done: 1000, total },
      { phase: 'customers', done: 1100, total },
      { phase: 'plans', done: 1101, total },
      { phase: 'services', done: 1601, total },
      { phase: 'services', done: 2101, total },
      { phase: 'services', done: 2201, total },
      { phase: 'done', done: 2201, total },
    ]);
  });

  it('a chunk that does not fit its target is written row by row: what fits is adopted, the rest reported', async () => {
    const { h, batch, target } = await bigShop();
    await h.storage.targets.update(target.id, { capacity: 700 });
    const report = await h.kit.importShop(batch);
    expect(report.services).toEqual({ created: 700, exists: 0, unmapped: 400 });
    expect(report.rows.filter((r) => r.reason === 'target_full')).toHaveLength(400);
    expect((await h.storage.targets.get(target.id))?.allocated).toBe(700);
  });
});

describe('adoptedState', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const client = (over: Partial<RemoteClient>): RemoteClient => ({
    ref: { target: { remoteRef: '1', protocol: 'vless', remoteMeta: {} }, username: 'u' },
    enabled: true,
    expiry: { type: 'at', at: new Date(now.getTime() + DAY) },
    trafficLimitBytes: 10,
    usedBytes: 0,
    uploadBytes: null,
    downloadBytes: null,
    deviceLimit: null,
    panelStatus: null,
    lastOnlineAt: null,
    ...over,
  });
  it.each([
    ['enabled', {}, 'active'],
    ['enabled past its end (the sweep expires it)', { expiry: { type: 'at', at: new Date(now.getTime() - DAY) } }, 'active'],
    ['off past its end', { enabled: false, expiry: { type: 'at', at: new Date(now.getTime() - DAY) } }, 'expired'],
    ['off at its limit', { enabled: false, usedBytes: 10 }, 'limited'],
    ['off otherwise', { enabled: false }, 'suspended'],
    ['waiting for first use', { expiry: { type: 'after_first_use', durationMs: 30 * DAY } }, 'on_hold'],
  ] as const)('%s → %s', (_, over, status) => {
    const state = adoptedState(client(over as Partial<RemoteClient>), now);
    expect(state.ok && state.status).toBe(status);
  });
  it('a client that never expires cannot be adopted', () => {
    expect(adoptedState(client({ expiry: { type: 'never' } }), now)).toEqual({ ok: false, reason: 'no_expiry' });
  });
});
