import { createId } from '@panelkit/sdk';
import { NewPlanSchema, PlanPatchSchema } from '@panelkit/sdk/schemas';
import { definedFields, inputKey, parseInput, parsePlanFilter } from '@panelkit/sdk/storage';
import type { NewPlan, Plan, PlanPatch } from '@panelkit/sdk';
import type { PlanRepository } from '@panelkit/sdk/storage';
import type { Column } from '../internal/columns.js';
import { rowTable } from '../internal/row-table.js';
import type { RepositoryContext } from '../internal/runner.js';
import { dec, enc } from '../internal/sql.js';
import type { Row } from '../internal/sql.js';

const COLUMNS: readonly Column<Plan>[] = [
  ['id', 'text', (p) => p.id],
  ['name', 'text', (p) => p.name],
  ['family', 'text', (p) => p.family],
  ['description', 'text', (p) => p.description],
  ['price_amount', 'bigint', (p) => p.price.amount],
  ['price_currency', 'text', (p) => p.price.currency],
  ['duration_days', 'integer', (p) => p.durationDays],
  ['traffic_bytes', 'bigint', (p) => p.trafficBytes],
  ['device_limit', 'integer', (p) => p.deviceLimit],
  ['no_hwid_policy', 'text', (p) => p.noHwidPolicy],
  ['placement', 'jsonb', (p) => enc.json(p.placement)],
  ['max_clients', 'integer', (p) => p.maxClients],
  ['auto_provision', 'boolean', (p) => p.autoProvision],
  ['trial', 'jsonb', (p) => enc.jsonOrNull(p.trial)],
  ['renewable', 'boolean', (p) => p.renewable],
  ['start_on_first_use', 'boolean', (p) => p.startOnFirstUse],
  ['extension', 'jsonb', (p) => enc.json(p.extension)],
  ['on_sale', 'boolean', (p) => p.onSale],
  ['traffic_top_up', 'jsonb', (p) => enc.jsonOrNull(p.trafficTopUp)],
  ['device_pack', 'jsonb', (p) => enc.jsonOrNull(p.devicePack)],
  ['sharing', 'jsonb', (p) => enc.jsonOrNull(p.sharing)],
  ['builder', 'jsonb', (p) => enc.jsonOrNull(p.builder)],
  ['kinds', 'jsonb', (p) => enc.json(p.kinds)],
  ['allocated', 'integer', (p) => p.allocated],
  ['created_at', 'timestamptz', (p) => enc.time(p.createdAt)],
  ['updated_at', 'timestamptz', (p) => enc.time(p.updatedAt)],
];

export function planFromRow(r: Row): Plan {
  return {
    id: dec.text(r['id']),
    name: dec.text(r['name']),
    family: dec.text(r['family']),
    description: dec.textOrNull(r['description']),
    price: { amount: dec.int(r['price_amount']), currency: dec.text(r['price_currency']) },
    durationDays: dec.int(r['duration_days']),
    trafficBytes: dec.intOrNull(r['traffic_bytes']),
    deviceLimit: dec.intOrNull(r['device_limit']),
    noHwidPolicy: dec.text(r['no_hwid_policy']) as Plan['noHwidPolicy'],
    placement: dec.json(r['placement']),
    maxClients: dec.intOrNull(r['max_clients']),
    autoProvision: dec.bool(r['auto_provision']),
    trial: r['trial'] === null ? null : dec.json(r['trial']),
    renewable: dec.bool(r['renewable']),
    startOnFirstUse: dec.bool(r['start_on_first_use']),
    extension: dec.json(r['extension']),
    onSale: dec.bool(r['on_sale']),
    trafficTopUp: r['traffic_top_up'] === null ? null : dec.json(r['traffic_top_up']),
    devicePack: r['device_pack'] === null ? null : dec.json(r['device_pack']),
    sharing: r['sharing'] == null ? null : dec.json(r['sharing']),
    builder: r['builder'] === null ? null : dec.json(r['builder']),
    kinds: dec.json(r['kinds']),
    allocated: dec.int(r['allocated']),
    createdAt: dec.time(r['created_at']),
    updatedAt: dec.time(r['updated_at']),
  };
}

export function planRepository({ runner, schema }: RepositoryContext): PlanRepository {
  const table = `${schema}.plans`;
  const plans = rowTable(table, 'plan', COLUMNS, planFromRow);
  const read = { read: true } as const;
  return {
    create: (input: NewPlan) =>
      runner.run('plans.create', async ({ db, now }) => {
        const parsed = parseInput(NewPlanSchema, input, 'plan');
        const plan: Plan = { ...parsed, id: parsed.id ?? createId('pln'), allocated: 0, createdAt: now, updatedAt: now };
        return plans.insert(db, plan);
      }),

    get: (id: string) => runner.run('plans.get', ({ db }) => plans.findOne(db, 'id = $1', [inputKey(id, 'plan id')]), read),

    list: (filter?: { onSale?: boolean }) =>
      runner.run(
        'plans.list',
        async ({ db }) => {
          const onSale = parsePlanFilter(filter);
          const { rows } = await db.query(
            `SELECT * FROM ${table} WHERE ($1::boolean IS NULL OR on_sale = $1) ORDER BY price_amount, name, id`,
            [onSale ?? null],
          );
          return rows.map(planFromRow);
        },
        read,
      ),

    update: (id: string, patch: PlanPatch) =>
      runner.run('plans.update', async ({ db, now }) => {
        const changes = definedFields(parseInput(PlanPatchSchema, patch, 'plan patch'));
        const before = await plans.lock(db, inputKey(id, 'plan id'));
        return plans.replace(db, { ...before, ...changes, allocated: before.allocated, updatedAt: now });
      }),
  };
}
