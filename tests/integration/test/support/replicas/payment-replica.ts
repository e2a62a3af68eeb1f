/**
 * A replica module (see `process.ts`) for the payment races: one process's pool, PostgreSQL storage and
 * kit with the signed gateway provider. `markPaid` is an admin's approval on this replica, `callback` the
 * gateway's callback arriving at this replica; each takes many payments and runs them all at once.
 */
import pg from 'pg';
import { createPanelkit } from '@panelkit/sdk';
import { createPostgresStorage, fromPgPool } from '@panelkit/storage-postgres';
import { finishedCallback, signedGatewayProvider } from '../signed-gateway.js';

/** What the parent passes to a payment replica. */
export interface PaymentReplicaConfig {
  databaseUrl: string;
  /** Already migrated by the parent. */
  schema: string;
}

export async function setup(config: PaymentReplicaConfig) {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 8 });
  // No retries of deadlocks: a race that deadlocks must fail the test, not be retried away.
  const storage = createPostgresStorage({ client: fromPgPool(pool), schema: config.schema, maxAttempts: 1 });
  const kit = createPanelkit({
    storage,
    panels: () => {
      throw new Error('no panels in the payment races');
    },
    policy: { identity: { secret: 'payment-race-secret-0123456789', prefix: 'pk' } },
    payments: { providers: [signedGatewayProvider()] },
  });
  return {
    markPaid: async (paymentIds: string[]) =>
      Promise.all(
        paymentIds.map(async (paymentId) => (await kit.payments.markPaid({ paymentId, actor: { type: 'admin', id: 'adm_race' } })).outcome),
      ),
    callback: async (payments: { externalRef: string; amount: number; currency: string }[]) =>
      Promise.all(
        payments.map(
          async (p) => (await kit.payments.handleCallback('crypto', finishedCallback(p.externalRef, p.amount, p.currency))).outcome,
        ),
      ),
    close: async () => {
      await storage.close();
      await pool.end();
    },
  };
}
