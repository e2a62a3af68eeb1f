import type { Actor } from '../../domain/common.js';
import type { Customer } from '../../domain/customer.js';
import { keyedId } from '../../domain/ids.js';
import type { NewLedgerEntry } from '../../domain/ledger.js';
import { ConflictError } from '../../errors.js';
import type { EngineContext } from '../context.js';
import type { ValidImportBatch } from './import-batch.js';
import type { ImportReportBuilder } from './import-report.js';

type CustomerRow = ValidImportBatch['customers'][number];

/** What importing customers needs: the run's context, batch, report and actor. */
export interface CustomerRun {
  ctx: EngineContext;
  batch: ValidImportBatch;
  report: ImportReportBuilder;
  actor: Actor;
}

/** The ledger key of a customer's opening balance: the same old row credits once, whatever runs it. */
export function openingBalanceKey(source: string, customerRef: string): string {
  return `import:${source}:balance:${customerRef}`;
}

/** The id an imported customer gets: the same for the same source and old row. */
export function importedCustomerId(source: string, ref: string): string {
  return keyedId('cus', `import:${source}:customer:${ref}`);
}

/** The opening balance entry of an old row (kind `adjustment`, keyed by the row, naming it in `reference`). */
export function openingBalance(run: CustomerRun, row: CustomerRow, customerId: string): NewLedgerEntry {
  const { source, currency } = run.batch;
  return {
    customerId,
    kind: 'adjustment',
    amount: row.balance,
    currency,
    idempotencyKey: openingBalanceKey(source, row.ref),
    reference: `${source}:customer:${row.ref}`,
    note: `opening balance imported from ${source}`,
    actor: run.actor,
  };
}

/**
 * Brings a chunk of customers over in one transaction: reads which of them exist (by `externalRef`)
 * in one statement, creates the others in one, their audit entries in one, and their opening balances
 * in one (`ledger.appendMany`, keyed, so a balance already credited is found, not credited again).
 * Returns each old row's customer id; `null` when another run took the chunk's keys meanwhile (then
 * nothing of it was written and the caller imports its rows one by one).
 */
export async function importCustomerChunk(run: CustomerRun, rows: readonly CustomerRow[]): Promise<Map<string, string> | null> {
  const { ctx, batch, report } = run;
  const existing = new Map<string, Customer>();
  for (const c of await ctx.storage.customers.getByExternalRefs(rows.map((r) => r.externalRef))) existing.set(c.externalRef ?? '', c);
  let written;
  try {
    written = await ctx.storage.transaction(async (tx) => {
      const fresh = rows.filter((r) => !existing.has(r.externalRef));
      const created = await tx.customers.createMany(
        fresh.map((r) => ({
          id: importedCustomerId(batch.source, r.ref),
          externalRef: r.externalRef,
          telegramId: r.telegramId,
          name: r.name,
          locale: r.locale,
        })),
      );
      await tx.audit.appendMany(
        fresh.map((r, i) => ({
          actor: run.actor,
          action: 'customer.imported',
          subjectType: 'customer',
          subjectId: created[i]!.id,
          data: { source: batch.source, ref: r.ref },
        })),
      );
      const ids = new Map(rows.map((r) => [r.ref, existing.get(r.externalRef)?.id ?? importedCustomerId(batch.source, r.ref)]));
      const credited = rows.filter((r) => r.balance > 0);
      const credits = await tx.ledger.appendMany(credited.map((r) => openingBalance(run, r, ids.get(r.ref)!)));
      return { ids, credits: new Map(credited.map((r, i) => [r.ref, credits[i]!])) };
    });
  } catch (error) {
    // Another run created one of these customers at the same moment (or the chunk names one twice).
    if (ConflictError.is(error)) return null;
    throw error;
  }
  for (const row of rows) {
    const id = written.ids.get(row.ref)!;
    report.add({ kind: 'customer', ref: row.ref, outcome: existing.has(row.externalRef) ? 'exists' : 'created', id });
    const credit = written.credits.get(row.ref);
    if (credit === undefined) continue;
    report.add({ kind: 'balance', ref: row.ref, outcome: credit.created ? 'created' : 'exists', id: credit.entry.id });
    if (credit.created) {
      report.credited(row.balance);
      ctx.events.emit('ledger:appended', { entry: credit.entry, at: ctx.clock.now() });
    }
  }
  return written.ids;
}
