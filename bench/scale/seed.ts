/**
 * Seeds bench/scale's database: the panels (through the kit's host API, which also syncs each
 * panel's first inbound or service as its target), a plan, customers, and `clientsPerPanel`
 * subscriptions per panel with one `INSERT … SELECT generate_series`, each matching a client the
 * panel's simulator holds (`s<panel>_<n>`). Rows written by SQL are not sealed (no secret box).
 */
import type { Panelkit, Plan } from '../../packages/sdk/src/index.js';
import type { SqlClient } from '../../packages/storage-postgres/src/index.js';
import type { ServedPanel } from './panel-kinds.js';
import { panelRow } from './panel-kinds.js';

export interface Seeded {
  plan: Plan;
  /** By panel index. */
  panelIds: string[];
  targetIds: string[];
  customerIds: string[];
}

export async function seedCatalog(kit: Panelkit, panels: readonly ServedPanel[], customers: number): Promise<Seeded> {
  const panelIds: string[] = [];
  const targetIds: string[] = [];
  for (const served of panels) {
    const panel = await kit.panels.add(panelRow(served));
    const synced = await kit.targets.sync(panel.id, { select: (targets) => targets.slice(0, 1) });
    const target = synced.added[0];
    if (target === undefined) throw new Error(`panel ${served.index} lists no target`);
    panelIds[served.index] = panel.id;
    targetIds[served.index] = target.id;
  }
  const plan = await kit.plans.create({
    name: 'bench',
    family: 'bench',
    price: { amount: 100, currency: 'USD' },
    durationDays: 30,
    trafficBytes: 100 * 2 ** 30,
  });
  const customerIds: string[] = [];
  for (let i = 0; i < customers; i++) customerIds.push((await kit.customers.create({ email: `buyer${i}@bench.example` })).id);
  return { plan, panelIds, targetIds, customerIds };
}

export async function seedSubscriptions(
  base: SqlClient,
  schema: string,
  seeded: Seeded,
  clientsPerPanel: number,
  now: Date,
): Promise<void> {
  const indexes = seeded.panelIds.map((_, i) => i);
  await base.query(
    `INSERT INTO "${schema}".subscriptions (id, customer_id, plan_id, panel_id, target_id, status, status_changed_at, remote,
       traffic_limit_bytes, used_bytes, expires_at, activated_at, duration_days, start_on_first_use, share_links, auto_renew, trial, notices,
       revision, created_at, updated_at)
     SELECT 'sub_' || lpad(m.p::text, 3, '0') || '_' || lpad(g::text, 7, '0'), ($1::text[])[1 + (g % array_length($1::text[], 1))], $2,
       m.panel_id, m.target_id, 'active', $3::timestamptz,
       jsonb_build_object('username', 's' || m.p || '_' || g, 'uuid', '00000000-0000-4000-8000-000000000000', 'password', 'passwordpassword0',
         'subId', 'abcdefghijklmnop', 'ssKey', repeat('a', 44), 'generation', 0),
       $4::bigint, 0, $3::timestamptz + (10 + g % 300) * interval '1 day', $3::timestamptz, 30, false, '[]', false, false, '[]',
       0, $3::timestamptz, $3::timestamptz
     FROM unnest($5::text[], $6::text[], $7::integer[]) AS m(panel_id, target_id, p)
     CROSS JOIN generate_series(0, $8::integer - 1) AS g`,
    [seeded.customerIds, seeded.plan.id, now.toISOString(), 100 * 2 ** 30, seeded.panelIds, seeded.targetIds, indexes, clientsPerPanel],
  );
  // The seeded clients hold their slots; no target is the default, so placement spreads new orders
  // over the least used targets, as over a fleet the shop fills evenly.
  await base.query(`UPDATE "${schema}".targets SET is_default = false, allocated = $1, capacity = $2`, [
    clientsPerPanel,
    2 * clientsPerPanel,
  ]);
  await base.query(`VACUUM ANALYZE "${schema}".subscriptions`);
}
