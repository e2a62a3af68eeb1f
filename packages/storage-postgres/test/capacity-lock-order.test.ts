import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import type pg from 'pg';
import { createPostgresStorage, fromPgPool } from '../src/index.js';
import { SKIP_REAL_SERVER, newPool } from './helpers.js';
import { takeMigratedSchema } from './support/schema-pool.js';

/**
 * A checkout that finds its first target full tries the next one inside the same transaction, still holding
 * what the first reservation locked. Two such checkouts must queue, not deadlock: locking the target before
 * the plan, one held the plan and wanted the next target while the other held that target and wanted the plan
 * (`deadlock detected` under 50 buyers). The plan is locked first.
 */
const TITLE = `capacity lock order on a PostgreSQL server${SKIP_REAL_SERVER === false ? '' : ` (skipped: ${SKIP_REAL_SERVER})`}`;

describe.skipIf(SKIP_REAL_SERVER !== false)(TITLE, () => {
  const pools: pg.Pool[] = [];
  /** Gives the test's schema back to the pool of migrated schemas, once the storages' pools closed. */
  let giveBack: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.end()));
    await giveBack?.();
    giveBack = undefined;
  });

  it('two checkouts moving from a full target to the next wait for each other instead of deadlocking', async () => {
    const clock = new ManualClock();
    const admin = newPool(1);
    const taken = await takeMigratedSchema(fromPgPool(admin), { clock });
    const schema = taken.schema;
    giveBack = () => taken.giveBack().finally(() => admin.end());
    const [poolA, poolB] = [2, 2].map((max) => {
      const pool = newPool(max);
      pools.push(pool);
      return pool;
    }) as [pg.Pool, pg.Pool];
    // No retries: a deadlock fails the test instead of being rerun away.
    const a = createPostgresStorage({ client: fromPgPool(poolA), schema, clock, maxAttempts: 1 });
    const b = createPostgresStorage({ client: fromPgPool(poolB), schema, clock, maxAttempts: 1 });
    const panel = await a.panels.create({
      kind: 'marzban',
      name: 'p',
      baseUrl: 'https://p.example.com',
      credentials: { type: 'password', username: 'admin', password: 'password-p' },
    });
    const full = await a.targets.create({ panelId: panel.id, remoteRef: 'in-1', name: 'full', protocol: 'vless', capacity: 0 });
    const roomy = await a.targets.create({ panelId: panel.id, remoteRef: 'in-2', name: 'roomy', protocol: 'vless', capacity: 10 });
    const price = { amount: 100, currency: 'USD' };
    const plan = await a.plans.create({ name: 'plan', family: 'f', price, durationDays: 30, trafficBytes: null });

    let triedFull!: () => void;
    const firstTried = new Promise<void>((resolve) => (triedFull = resolve));
    let goOn!: () => void;
    const mayGoOn = new Promise<void>((resolve) => (goOn = resolve));
    // A: the full target first (refused, its locks kept), then the roomy one.
    const first = a.transaction(async (tx) => {
      expect(await tx.capacity.reserve({ targetId: full.id, planId: plan.id, count: 1 })).toEqual({ ok: false, reason: 'target_full' });
      triedFull();
      await mayGoOn;
      return tx.capacity.reserve({ targetId: roomy.id, planId: plan.id, count: 1 });
    });
    await firstTried;
    // B: straight to the roomy target, while A holds what its refused reservation locked.
    const second = b.transaction((tx) => tx.capacity.reserve({ targetId: roomy.id, planId: plan.id, count: 1 }));
    for (;;) {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`,
        [schema],
      );
      if ((rows[0]?.n ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    goOn();
    const outcomes = await Promise.allSettled([first, second]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : o.value))).toEqual([{ ok: true }, { ok: true }]);
    expect((await a.targets.get(roomy.id))?.allocated).toBe(2);
    expect((await a.plans.get(plan.id))?.allocated).toBe(2);
    await a.close();
    await b.close();
  });
});
