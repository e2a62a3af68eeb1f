/**
 * A process of `settle-batches-replicas.test.ts`: settles the leases it is sent, in batches of 50 over its own pool,
 * each batch a `completeMany` or a `settleMany` (retry, dead, released, parked in turn), as soon as it is told `go`;
 * answers `settled` with the leases its storage said it settled, each with the way it settled it.
 */
import pg from 'pg';
import type { Lease } from '@panelkit/sdk';
import type { JobSettlement } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPgPool } from '../../src/index.js';

type Incoming = { type: 'leases'; leases: Lease[]; reverse: boolean } | { type: 'go' };
export type Settled = { jobId: string; token: string; outcome: 'succeeded' | JobSettlement['outcome'] };

const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 4 });
const storage = createPostgresStorage({ client: fromPgPool(pool), schema: process.env['SCHEMA'] });
const OUTCOMES = ['retry', 'dead', 'released', 'parked'] as const;
let leases: Lease[] = [];

function settlement(lease: Lease, outcome: (typeof OUTCOMES)[number]): JobSettlement {
  const error = { name: 'PanelServerError', code: 'PANEL_SERVER', message: `settled by ${process.pid}`, retryable: true };
  switch (outcome) {
    case 'retry':
      return { lease, outcome, error, at: new Date(Date.now() + 60_000) };
    case 'dead':
      return { lease, outcome, error };
    case 'released':
      return { lease, outcome };
    case 'parked':
      return { lease, outcome, parking: { panelId: `pnl_${process.pid}`, until: new Date(Date.now() + 60_000) } };
  }
}

async function settleAll(): Promise<Settled[]> {
  const batches: Lease[][] = [];
  for (let i = 0; i < leases.length; i += 50) batches.push(leases.slice(i, i + 50));
  const settled: Settled[] = [];
  await Promise.all(
    batches.map(async (batch, b) => {
      if (b % 2 === 0) {
        for (const l of await storage.jobs.completeMany(batch)) settled.push({ ...l, outcome: 'succeeded' });
        return;
      }
      const outcome = OUTCOMES[(b >> 1) % OUTCOMES.length]!;
      for (const l of await storage.jobs.settleMany(batch.map((lease) => settlement(lease, outcome)))) settled.push({ ...l, outcome });
    }),
  );
  return settled;
}

process.on('message', (message: Incoming) => {
  if (message.type === 'leases') {
    leases = message.reverse ? [...message.leases].reverse() : message.leases;
    process.send?.({ type: 'ready' });
    return;
  }
  void settleAll().then(
    async (settled) => {
      process.send?.({ type: 'settled', settled });
      await storage.close();
      await pool.end();
      process.disconnect?.();
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
