import type { Actor } from '../../domain/common.js';
import { keyedId } from '../../domain/ids.js';
import type { Plan } from '../../domain/plan.js';
import { parseInput } from '../../domain/validate.js';
import { ConflictError } from '../../errors.js';
import type { EngineContext } from '../context.js';
import type { ServiceContext } from './adopt-service.js';
import { TargetCache, adoptServiceChunk } from './adopt-services-batch.js';
import { importCustomerChunk, importedCustomerId, openingBalance, openingBalanceKey } from './import-customers-batch.js';
import { ImportBatchSchema, ImportOptionsSchema } from './import-batch.js';
import type { ImportBatch, ImportOptions, ImportProgress, ValidImportBatch } from './import-batch.js';
import { ImportReportBuilder } from './import-report.js';
import type { ImportReport } from './import-report.js';
import { PanelClientIndex } from './panel-clients.js';

type Customer = ValidImportBatch['customers'][number];
type PlanRow = ValidImportBatch['plans'][number];
type PlanRef = Pick<Plan, 'id' | 'durationDays' | 'maxClients' | 'allocated'>;

/** The `ref` of the off-sale plan services without a plan of their own go on. */
export const FALLBACK_PLAN_REF = '~imported-service';

interface Run {
  ctx: EngineContext;
  batch: ValidImportBatch;
  report: ImportReportBuilder;
  dryRun: boolean;
  actor: Actor;
}

export { openingBalanceKey };

/**
 * Brings one customer over (or finds them by `externalRef`), with their opening balance, in one transaction:
 * the dry run's path, and the path of a chunk another run raced.
 */
async function importCustomer(run: Run, row: Customer): Promise<string | null> {
  const { ctx, batch, report } = run;
  const key = openingBalanceKey(batch.source, row.ref);
  const existing = await ctx.storage.customers.getByExternalRef(row.externalRef);
  if (run.dryRun) {
    report.add({ kind: 'customer', ref: row.ref, outcome: existing === null ? 'created' : 'exists', id: existing?.id ?? null });
    if (row.balance > 0) {
      const entry = await ctx.storage.ledger.getByIdempotencyKey(key);
      report.add({ kind: 'balance', ref: row.ref, outcome: entry === null ? 'created' : 'exists', id: entry?.id ?? null });
      if (entry === null) report.credited(row.balance);
    }
    return existing?.id ?? importedCustomerId(batch.source, row.ref);
  }
  try {
    const result = await ctx.storage.transaction(async (tx) => {
      const found = await tx.customers.getByExternalRef(row.externalRef);
      const customer =
        found ??
        (await tx.customers.create({
          id: importedCustomerId(batch.source, row.ref),
          externalRef: row.externalRef,
          telegramId: row.telegramId,
          name: row.name,
          locale: row.locale,
        }));
      if (found === null) {
        const data = { source: batch.source, ref: row.ref };
        await tx.audit.append({ actor: run.actor, action: 'customer.imported', subjectType: 'customer', subjectId: customer.id, data });
      }
      const credit = row.balance > 0 ? await tx.ledger.append(openingBalance(run, row, customer.id)) : null;
      return { customer, created: found === null, credit };
    });
    report.add({ kind: 'customer', ref: row.ref, outcome: result.created ? 'created' : 'exists', id: result.customer.id });
    if (result.credit !== null) {
      report.add({ kind: 'balance', ref: row.ref, outcome: result.credit.created ? 'created' : 'exists', id: result.credit.entry.id });
      if (result.credit.created) {
        report.credited(row.balance);
        ctx.events.emit('ledger:appended', { entry: result.credit.entry, at: ctx.clock.now() });
      }
    }
    return result.customer.id;
  } catch (error) {
    if (!ConflictError.is(error)) throw error;
    // Another run created this customer at the same moment: this row is theirs now; a rerun credits nothing twice.
    const winner = await ctx.storage.customers.getByExternalRef(row.externalRef);
    if (winner === null) {
      report.unmapped('customer', row.ref, 'customer_conflict', error.message.slice(0, 500));
      return null;
    }
    return importCustomer(run, row);
  }
}

/** Stores one plan under its keyed id, off sale by default. */
async function importPlan(run: Run, row: PlanRow & { renewable?: boolean }): Promise<PlanRef> {
  const { ctx, batch, report } = run;
  const id = keyedId('plan', `import:${batch.source}:plan:${row.ref}`);
  const existing = await ctx.storage.plans.get(id);
  if (existing !== null || run.dryRun) {
    report.add({ kind: 'plan', ref: row.ref, outcome: existing === null ? 'created' : 'exists', id });
    return existing ?? { id, durationDays: row.durationDays, maxClients: null, allocated: 0 };
  }
  const plan = await ctx.storage
    .transaction(async (tx) => {
      const created = await tx.plans.create({
        id,
        name: row.name,
        family: `import-${batch.source}`,
        price: { amount: row.price, currency: batch.currency },
        durationDays: row.durationDays,
        trafficBytes: row.trafficBytes,
        deviceLimit: row.deviceLimit,
        onSale: row.onSale,
        renewable: row.renewable ?? true,
      });
      const data = { source: batch.source, ref: row.ref, name: row.name };
      await tx.audit.append({ actor: run.actor, action: 'plan.imported', subjectType: 'plan', subjectId: id, data });
      return { plan: created, created: true };
    })
    .catch(async (error: unknown) => {
      // Another run stored it at the same moment.
      const winner = ConflictError.is(error) ? await ctx.storage.plans.get(id) : null;
      if (winner === null) throw error;
      return { plan: winner, created: false };
    });
  report.add({ kind: 'plan', ref: row.ref, outcome: plan.created ? 'created' : 'exists', id });
  return plan.plan;
}

/** Rows written per transaction (customers, or services): at most the port's rows per call. */
export const IMPORT_CHUNK_SIZE = 500;

function chunksOf<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += IMPORT_CHUNK_SIZE) out.push(rows.slice(i, i + IMPORT_CHUNK_SIZE));
  return out;
}

/** The off-sale plan for services whose plan the batch does not name, stored only when one needs it. */
async function fallbackPlan(run: Run, plans: Map<string, PlanRef>): Promise<PlanRef | null> {
  const needed = run.batch.services.some((s) => s.planRef === null || !plans.has(s.planRef));
  if (!needed) return null;
  const fallback = {
    ref: FALLBACK_PLAN_REF,
    name: `Imported service (${run.batch.source})`,
    price: 0,
    durationDays: 30,
    trafficBytes: null,
  };
  return importPlan(run, { ...fallback, deviceLimit: null, onSale: false, renewable: false });
}

/**
 * Imports a batch from another shop (see `ImportBatch`): customers (an existing customer with the
 * same `externalRef` is adopted), their balances as opening ledger entries (kind `adjustment`, keyed
 * by the old row and naming it in `reference`), plans, and live services adopted on their panels as
 * they are. Only reads are sent to panels: no client is created, changed or removed.
 *
 * Rows are written {@link IMPORT_CHUNK_SIZE} to a transaction, each chunk in a few multi-row
 * statements. Idempotent and resumable: every row is keyed by `source` and its old id, so running the
 * same batch again, or after a crash part-way (a chunk is written whole or not at all), brings over
 * only what is missing. A chunk that another run raced, or that does not fit its plan's or target's
 * room, is written row by row instead, each row with its own outcome. A service on a plan the batch
 * does not name goes on an off-sale, non-renewable "imported service" plan. Rows that cannot be
 * brought over are in the report with a reason; a dry run reports the same outcomes and writes
 * nothing. `options.onProgress` hears how far it has come after every chunk. Bad input is a
 * `ValidationError`.
 */
export async function importShop(ctx: EngineContext, input: ImportBatch, options: ImportOptions = {}): Promise<ImportReport> {
  const batch = parseInput(ImportBatchSchema, input, 'import batch');
  const { dryRun, actor } = parseInput(ImportOptionsSchema, options, 'import options');
  const report = new ImportReportBuilder(batch.source, dryRun);
  const run: Run = { ctx, batch, report, dryRun, actor };
  const total = batch.customers.length + batch.plans.length + batch.services.length;
  let done = 0;
  const progress = async (phase: ImportProgress['phase'], rows: number) => {
    done += rows;
    await options.onProgress?.({ phase, done, total });
  };
  for (const row of batch.skipped)
    report.unmapped(row.kind, row.ref, 'skipped_by_reader', `${row.reason}${row.detail === null ? '' : `: ${row.detail}`}`);

  const customers = new Map<string, string | null>();
  for (const chunk of chunksOf(batch.customers)) {
    const ids = dryRun ? null : await importCustomerChunk(run, chunk);
    if (ids !== null) for (const [ref, id] of ids) customers.set(ref, id);
    else for (const row of chunk) customers.set(row.ref, await importCustomer(run, row));
    await progress('customers', chunk.length);
  }

  const plans = new Map<string, PlanRef>();
  for (const row of batch.plans) plans.set(row.ref, await importPlan(run, row));
  const fallback = await fallbackPlan(run, plans);
  await progress('plans', batch.plans.length);

  const clients = new PanelClientIndex(ctx);
  const targets = new TargetCache(ctx);
  const plannedSlots = new Map<string, number>();
  const contextOf = (service: ValidImportBatch['services'][number]): ServiceContext => ({
    ctx,
    batch,
    report,
    clients,
    actor,
    dryRun,
    customerId: customers.get(service.customerRef) ?? null,
    plan: (service.planRef === null ? undefined : plans.get(service.planRef)) ?? fallback!,
    plannedSlots,
  });
  for (const chunk of chunksOf(batch.services)) {
    await adoptServiceChunk(ctx, chunk, contextOf, targets);
    await progress('services', chunk.length);
  }
  await progress('done', 0);
  return report.build();
}
