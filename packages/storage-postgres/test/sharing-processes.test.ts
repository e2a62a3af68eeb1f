import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPanelkit } from '@panelkit/sdk';
import { FakePanelAdapter, ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { bundledEntry } from '../../../scripts/test-support/bundled-entry.js';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { DATABASE_URL, SKIP_REAL_SERVER, newPool } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

const PROCESSES = 4;

describe.skipIf(SKIP_REAL_SERVER !== false)('the last seat of a family group across OS processes (real PostgreSQL)', () => {
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  });

  it('four processes accepting four invites to one free seat at once: one joins, three are refused group_full', {
    timeout: 240_000,
  }, async () => {
    const pool = newPool(3);
    pools.push(pool);
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const { schema, giveBack } = await takeMigratedSchema(fromPgPool(pool), { clock });
    const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
    const fake = new FakePanelAdapter({ clock });
    const kit = createPanelkit({
      storage,
      clock,
      panels: () => fake,
      policy: { identity: { secret: 'replica-test-secret-0123456789', prefix: 'pk' } },
      random: () => 0.5,
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
        name: 'family',
        family: 'standard',
        price: { amount: 1000, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
        sharing: { maxMembers: 2 },
      });
      const payer = await storage.customers.create({ email: 'payer@example.com' });
      await kit.topUp({ customerId: payer.id, amount: { amount: 1000, currency: 'USD' }, idempotencyKey: 'seed' });
      const { subscriptions } = await kit.checkout({ customerId: payer.id, items: [{ planId: plan.id }], idempotencyKey: 'buy' });
      await kit.createWorker({ heartbeatIntervalMs: 3_600_000 }).drain();
      const groupId = subscriptions[0]!.id;
      // One seat taken already: one is left for the four processes.
      const first = await storage.customers.create({ email: 'first@example.com' });
      const opening = await kit.sharing.invite({ customerId: payer.id, groupId });
      await kit.sharing.accept({ token: opening.token, customerId: first.id });

      const entry = await bundledEntry(resolve(import.meta.dirname, 'support/sharing-replica.ts'));
      for (let i = 0; i < PROCESSES; i++) {
        const customer = await storage.customers.create({ email: `member${i}@example.com` });
        const { token } = await kit.sharing.invite({ customerId: payer.id, groupId });
        const env = {
          ...process.env,
          DATABASE_URL: DATABASE_URL!,
          SCHEMA: schema,
          NOW: clock.now().toISOString(),
          INVITE: token,
          CUSTOMER: customer.id,
        };
        children.push(fork(entry, [], { env, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
      }
      const next = (child: ChildProcess, type: string) =>
        new Promise<string>((done, fail) => {
          const onMessage = (m: { type: string; error?: string; outcome?: string }) => {
            if (m.type === 'failed') fail(new Error(m.error));
            if (m.type === type) child.off('message', onMessage), done(m.outcome ?? '');
          };
          child.on('message', onMessage);
          child.once('exit', (code) => fail(new Error(`a replica exited with ${code}`)));
        });
      await Promise.all(children.map((c) => next(c, 'ready')));
      const done = children.map((c) => next(c, 'done'));
      for (const child of children) child.send({ type: 'go' });
      const outcomes = await Promise.all(done);

      const joined = outcomes.filter((o) => o.startsWith('joined:'));
      expect(joined).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'group_full')).toHaveLength(PROCESSES - 1);
      const members = await storage.sharing.members(groupId);
      expect(members).toHaveLength(2);
      expect(members.map((m) => m.subscriptionId)).toContain(joined[0]!.slice('joined:'.length));
      // The refused ones wrote nothing: no order, no subscription, no slot.
      const plans = await storage.plans.get(plan.id);
      expect(plans!.allocated).toBe(3);
    } finally {
      for (const child of children) if (child.exitCode === null) child.send({ type: 'stop' });
      await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((done) => c.once('exit', done)) : undefined)));
      await storage.close();
      await giveBack();
    }
  });
});
