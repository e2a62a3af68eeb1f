/**
 * Device limits across OS processes (issue 45): four shop replicas register a new device each on the same
 * subscriptions at once, every subscription at its last free slot (limit 2, one device known). On each, exactly
 * one replica's device registers and the other three are refused `limit_reached`; no subscription ends with more
 * devices than its limit.
 */
import { createId, deriveRemoteIdentity, termsOf } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { describe, expect, it } from 'vitest';
import type { DeviceReplicaConfig } from './support/replicas/device-replica.js';
import { startReplica } from './support/replicas/process.js';
import { DATABASE_URL, SKIP_REASON, useMigratedSchema } from './support/replicas/postgres-rig.js';

const DEVICE_REPLICA = new URL('./support/replicas/device-replica.ts', import.meta.url);
const SUBSCRIPTIONS = 40;
const LIMIT = 2;

describe.skipIf(SKIP_REASON !== false)(
  `device registration across processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    const { schema, pool, replicas } = useMigratedSchema('pk_devices');

    it('four processes registering new devices at the last slot: one device a subscription, never past the limit', {
      timeout: 120_000,
    }, async () => {
      const storage = createPostgresStorage({ client: fromPgPool(pool()), schema });
      const plan = await storage.plans.create({
        name: 'two devices',
        family: 'f',
        price: { amount: 500, currency: 'USD' },
        durationDays: 30,
        trafficBytes: null,
        deviceLimit: LIMIT,
      });
      const panel = await storage.panels.create({
        kind: 'fake',
        name: 'p',
        baseUrl: 'https://p.example.com',
        credentials: { type: 'token', token: 't' },
      });
      const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 't', protocol: 'vless' });
      const customer = await storage.customers.create({ email: 'devices@example.com' });
      const ids: string[] = [];
      for (let i = 0; i < SUBSCRIPTIONS; i++) {
        const id = createId('sub');
        await storage.subscriptions.create({
          id,
          customerId: customer.id,
          orderId: null,
          planId: plan.id,
          panelId: panel.id,
          targetId: target.id,
          remote: deriveRemoteIdentity(id, 0, { secret: 'device-race-secret-0123456789' }),
          trafficLimitBytes: null,
          expiresAt: null,
          durationDays: 30,
          startOnFirstUse: false,
          deviceLimit: LIMIT,
          terms: termsOf(plan),
        });
        await storage.devices.touch({
          subscriptionId: id,
          device: { hwid: 'first-phone' },
          terms: { deviceLimit: LIMIT, noHwidPolicy: 'serve' },
        });
        ids.push(id);
      }

      replicas.push(
        ...(await Promise.all(
          ['a', 'b', 'c', 'd'].map((name) =>
            startReplica(`device-${name}`, DEVICE_REPLICA, { databaseUrl: DATABASE_URL!, schema } satisfies DeviceReplicaConfig),
          ),
        )),
      );
      expect(new Set(replicas.map((r) => r.pid)).size).toBe(4);
      const startAt = Date.now() + 500;
      const results = await Promise.all(replicas.map((r) => r.call<string[]>('touchAll', ids, startAt)));

      for (let i = 0; i < SUBSCRIPTIONS; i++) {
        const outcomes = results.map((r) => r[i]).sort();
        expect(outcomes, `subscription ${i}`).toEqual(['limit_reached', 'limit_reached', 'limit_reached', 'registered']);
      }
      const { rows } = await pool().query(
        `SELECT subscription_id, count(*)::int AS n FROM ${schema}.devices GROUP BY subscription_id HAVING count(*) <> $1`,
        [LIMIT],
      );
      expect(rows).toEqual([]);
      // Each replica won some subscriptions: the registrations really raced.
      const wins = results.map((r) => r.filter((o) => o === 'registered').length);
      expect(wins.reduce((a, b) => a + b, 0)).toBe(SUBSCRIPTIONS);
    });
  },
);
