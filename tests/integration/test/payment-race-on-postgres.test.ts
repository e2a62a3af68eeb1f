/**
 * One crypto payment credited twice (issue 30), as a race between OS processes on one PostgreSQL server:
 * an admin's "mark paid" on one replica and the gateway's signed callback on others, in both orders of
 * arrival and at the same moment, replayed. Every payment is credited exactly once: one `top_up` entry
 * under its ledger key, and the wallet holds the sum of the payments, not more.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPanelkit, type Payment } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { DATABASE_URL, SKIP_REASON } from './support/replicas/postgres-rig.js';
import { startReplica, type ReplicaProcess } from './support/replicas/process.js';
import type { PaymentReplicaConfig } from './support/replicas/payment-replica.js';
import { signedGatewayProvider } from './support/signed-gateway.js';
import { migratedSchemaFor } from '../../../packages/storage-postgres/test/support/schema-pool.js';

const PAYMENT_REPLICA = new URL('./support/replicas/payment-replica.ts', import.meta.url);
const AMOUNT = 800;

describe.skipIf(SKIP_REASON !== false)(
  `a gateway payment confirmed by an admin and the gateway from several processes${SKIP_REASON === false ? '' : ` (skipped: ${SKIP_REASON})`}`,
  () => {
    it('mark-paid and the callback, in either order and at once, replayed: every payment credited exactly once', {
      timeout: 120_000,
    }, async () => {
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
      const client = fromPgPool(pool);
      const { schema, giveBack } = await migratedSchemaFor(client);
      const storage = createPostgresStorage({ client, schema });
      const kit = createPanelkit({
        storage,
        panels: () => {
          throw new Error('no panels');
        },
        policy: { identity: { secret: 'payment-race-secret-0123456789', prefix: 'pk' } },
        payments: { providers: [signedGatewayProvider()] },
      });
      const replicas: ReplicaProcess[] = [];
      try {
        const customers = await Promise.all(
          Array.from({ length: 4 }, (_, i) => storage.customers.create({ email: `race${i}@example.com` })),
        );
        const invoices = async (count: number): Promise<Payment[]> => {
          const made: Payment[] = [];
          for (let i = 0; i < count; i++) {
            const started = await kit.payments.start({
              customerId: customers[i % customers.length]!.id,
              providerId: 'crypto',
              amount: { amount: AMOUNT, currency: 'USD' },
            });
            if (!started.ok) throw new Error(started.reason);
            made.push(started.payment);
          }
          return made;
        };
        const refs = (payments: Payment[]) =>
          payments.map((p) => ({ externalRef: p.externalRef!, amount: p.amount, currency: p.currency }));
        const config: PaymentReplicaConfig = { databaseUrl: DATABASE_URL!, schema };
        replicas.push(
          ...(await Promise.all(['admin', 'gateway-a', 'gateway-b'].map((name) => startReplica(name, PAYMENT_REPLICA, config)))),
        );
        const [admin, gatewayA, gatewayB] = replicas as [ReplicaProcess, ReplicaProcess, ReplicaProcess];
        expect(new Set(replicas.map((r) => r.pid)).size).toBe(3);

        // The admin first, the callback late.
        const adminFirst = await invoices(8);
        expect(
          await admin.call(
            'markPaid',
            adminFirst.map((p) => p.id),
          ),
        ).toEqual(Array(8).fill('credited'));
        expect(await gatewayA.call('callback', refs(adminFirst))).toEqual(Array(8).fill('already_credited'));

        // The callback first, the admin late.
        const gatewayFirst = await invoices(8);
        expect(await gatewayA.call('callback', refs(gatewayFirst))).toEqual(Array(8).fill('credited'));
        expect(
          await admin.call(
            'markPaid',
            gatewayFirst.map((p) => p.id),
          ),
        ).toEqual(Array(8).fill('already_credited'));

        // All at once: the admin on one process, the callback on two (a gateway retrying), every payment.
        const atOnce = await invoices(24);
        const [byAdmin, byA, byB] = await Promise.all([
          admin.call<string[]>(
            'markPaid',
            atOnce.map((p) => p.id),
          ),
          gatewayA.call<string[]>('callback', refs(atOnce)),
          gatewayB.call<string[]>('callback', refs(atOnce)),
        ]);
        for (let i = 0; i < atOnce.length; i++) {
          const outcomes = [byAdmin[i], byA[i], byB[i]];
          expect(
            outcomes.filter((o) => o === 'credited'),
            `payment ${i}: ${outcomes.join(', ')}`,
          ).toHaveLength(1);
          expect(outcomes.filter((o) => o === 'already_credited')).toHaveLength(2);
        }

        const all = [...adminFirst, ...gatewayFirst, ...atOnce];
        for (const payment of all) {
          const stored = (await storage.payments.get(payment.id))!;
          expect(stored.status).toBe('credited');
          const entry = await storage.ledger.getByIdempotencyKey(`payment:${payment.id}`);
          expect(entry).toMatchObject({ id: stored.ledgerEntryId, kind: 'top_up', amount: AMOUNT });
        }
        for (const customer of customers) {
          const own = all.filter((p) => p.customerId === customer.id).length;
          const entries = (await storage.ledger.list(customer.id, { limit: 100 })).items;
          expect(entries).toHaveLength(own);
          expect(await storage.ledger.balance(customer.id, 'USD')).toBe(own * AMOUNT);
        }
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
        await storage.close();
        await giveBack();
        await pool.end();
      }
    });
  },
);
