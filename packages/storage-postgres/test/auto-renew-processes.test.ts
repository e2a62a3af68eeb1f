import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPanelkit, createSecretBox, formatSecretKeys, generateSecretKey } from '@panelkit/sdk';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { DATABASE_URL, SKIP_REAL_SERVER, newPool } from './helpers.js';
import { httpChargingProvider } from './support/http-charging-provider.js';
import { takeMigratedSchema } from './support/schema-pool.js';

const DAY = 24 * 60 * 60_000;
const usd = (amount: number) => ({ amount, currency: 'USD' });

/** The fake payment provider the replicas charge over HTTP: every call counted, each idempotency key one charge. */
async function fakeProvider(): Promise<{ url: string; calls: () => number; charges: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const charges = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      calls++;
      const { key } = JSON.parse(body) as { key: string };
      if (!charges.has(key)) charges.set(key, `charge-${charges.size + 1}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ref: charges.get(key) }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => calls,
    charges: () => charges.size,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

describe.skipIf(SKIP_REAL_SERVER !== false)('auto-renewal from a saved method across OS processes (real PostgreSQL)', () => {
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  });

  it('four processes ticking at once, twice, make one charge at the provider and one renewal', { timeout: 240_000 }, async () => {
    const pool = newPool(3);
    pools.push(pool);
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const { schema, giveBack } = await takeMigratedSchema(fromPgPool(pool), { clock });
    const provider = await fakeProvider();
    const keys = [generateSecretKey('k1')];
    const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
    const fake = new FakePanelAdapter({ clock });
    const kit = createPanelkit({
      storage,
      clock,
      panels: () => fake,
      policy: { identity: { secret: 'replica-test-secret-0123456789', prefix: 'pk' } },
      random: () => 0.5,
      payments: { providers: [httpChargingProvider(provider.url)], secrets: createSecretBox(keys) },
    });
    const children: ChildProcess[] = [];
    try {
      const panel = await storage.panels.create({
        kind: 'fake',
        name: 'panel',
        baseUrl: 'https://panel.example.com/',
        credentials: { type: 'token', token: 't' },
        locationTags: ['de'],
      });
      await storage.targets.create({
        panelId: panel.id,
        remoteRef: '1',
        name: 'vless',
        protocol: 'vless',
        capacity: null,
        isDefault: true,
      });
      const plan = await storage.plans.create({
        name: 'monthly',
        family: 'standard',
        price: usd(1000),
        durationDays: 30,
        trafficBytes: 1024 ** 3,
      });
      const buyer = await storage.customers.create({ email: 'processes@example.com' });
      await kit.topUp({ customerId: buyer.id, amount: usd(1000), idempotencyKey: 'seed' });
      const { subscriptions } = await kit.checkout({
        customerId: buyer.id,
        items: [{ planId: plan.id, autoRenew: true }],
        idempotencyKey: 'buy',
      });
      await kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
      const saved = await kit.payments.start({
        customerId: buyer.id,
        providerId: 'test',
        amount: usd(100),
        requestKey: 'save',
        saveMethod: true,
        allowRenewal: true,
      });
      expect(saved.ok && saved.payment.status).toBe('credited');
      await kit.createScheduler().tick();
      const sub = (await storage.subscriptions.get(subscriptions[0]!.id))!;

      // Renewal time: four processes at that instant, each its own connections, scheduler and worker.
      const now = new Date(clock.now().getTime() + 29 * DAY + 60_000).toISOString();
      const entry = await bundledEntry(resolve(import.meta.dirname, 'support/renewal-replica.ts'));
      const env = {
        ...process.env,
        DATABASE_URL: DATABASE_URL!,
        SCHEMA: schema,
        NOW: now,
        PROVIDER_URL: provider.url,
        SECRET_KEYS: formatSecretKeys(keys),
      };
      for (let i = 0; i < 4; i++) children.push(fork(entry, [], { env, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
      const next = (child: ChildProcess, type: string) =>
        new Promise<void>((done, fail) => {
          const onMessage = (m: { type: string; error?: string }) => {
            if (m.type === 'failed') fail(new Error(m.error));
            if (m.type === type) child.off('message', onMessage), done();
          };
          child.on('message', onMessage);
          child.once('exit', (code) => fail(new Error(`a replica exited with ${code}`)));
        });
      await Promise.all(children.map((c) => next(c, 'ready')));
      for (let round = 0; round < 2; round++) {
        const done = children.map((c) => next(c, 'done'));
        for (const child of children) child.send({ type: 'go' });
        await Promise.all(done);
      }

      expect(provider.calls()).toBe(1);
      expect(provider.charges()).toBe(1);
      const charges = (await storage.payments.list({ customerId: buyer.id }, { limit: 50 })).items.filter(
        (p) => p.details['offSession'] === true,
      );
      expect(charges).toHaveLength(1);
      expect(charges[0]).toMatchObject({ status: 'credited', amount: 900 });
      // Renewed once, from the wallet the charge filled: one renewal debit under the period's key.
      const renewals = (await storage.ledger.list(buyer.id, { limit: 50 })).items.filter((e) => e.kind === 'extension');
      expect(renewals).toHaveLength(1);
      expect(renewals[0]!.idempotencyKey).toBe(`renew:${sub.id}:${sub.expiresAt!.toISOString()}`);
      expect(await storage.ledger.balance(buyer.id, 'USD')).toBe(0);
    } finally {
      for (const child of children) if (child.exitCode === null) child.send({ type: 'stop' });
      await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((done) => c.once('exit', done)) : undefined)));
      await storage.close();
      await provider.close();
      await giveBack();
    }
  });
});
