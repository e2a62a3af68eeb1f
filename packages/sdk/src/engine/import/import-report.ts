/** What happened (or, in a dry run, would happen) to one row of an import. */
export type ImportOutcome = 'created' | 'exists' | 'unmapped';

/** Why a row could not be brought over; the row stays in the old shop and in this report. */
export type ImportUnmappedReason =
  /** The reader could not map the old row (its own reason is in `detail`). */
  | 'skipped_by_reader'
  | 'unknown_customer'
  | 'unknown_panel'
  /** The panel could not be read now; run the import again later. */
  | 'panel_unavailable'
  /** No client with this username on the panel. */
  | 'client_not_found'
  /** The client's inbound/service is not one of this shop's targets yet: sync the panel's targets. */
  | 'target_not_synced'
  /** Another subscription of this shop already holds this client. */
  | 'client_already_owned'
  /** The client never expires and does not wait for first use; a subscription needs an end. */
  | 'no_expiry'
  | 'target_full'
  | 'plan_full'
  /** The customer's email or external id belongs to someone else in this shop. */
  | 'customer_conflict';

/** One row's outcome. */
export interface ImportRowResult {
  kind: 'customer' | 'balance' | 'plan' | 'service';
  /** The old shop's id for the row. */
  ref: string;
  outcome: ImportOutcome;
  /** The id in this shop (customer, ledger entry, plan or subscription), once there is one. */
  id: string | null;
  reason: ImportUnmappedReason | null;
  /** More about an unmapped row (the reader's reason, the panel's error…). */
  detail: string | null;
}

/** Counts of one kind of row. */
export interface ImportTally {
  created: number;
  exists: number;
  unmapped: number;
}

/**
 * What `kit.importShop` did: counts per kind, the money credited, and every row with its outcome.
 * Unmapped rows are listed with their reason, never dropped silently.
 */
export interface ImportReport {
  source: string;
  dryRun: boolean;
  customers: ImportTally;
  balances: ImportTally & {
    /** Minor units credited by this run (in a dry run: that would be). */
    credited: number;
  };
  plans: ImportTally;
  services: ImportTally;
  rows: ImportRowResult[];
}

/** Collects row outcomes into an `ImportReport`. */
export class ImportReportBuilder {
  readonly #report: ImportReport;

  constructor(source: string, dryRun: boolean) {
    const tally = (): ImportTally => ({ created: 0, exists: 0, unmapped: 0 });
    this.#report = {
      source,
      dryRun,
      customers: tally(),
      balances: { ...tally(), credited: 0 },
      plans: tally(),
      services: tally(),
      rows: [],
    };
  }

  add(row: Omit<ImportRowResult, 'id' | 'reason' | 'detail'> & Partial<ImportRowResult>): void {
    const full: ImportRowResult = { id: null, reason: null, detail: null, ...row };
    this.#report.rows.push(full);
    const tally = {
      customer: this.#report.customers,
      balance: this.#report.balances,
      plan: this.#report.plans,
      service: this.#report.services,
    }[row.kind];
    tally[row.outcome === 'created' ? 'created' : row.outcome === 'exists' ? 'exists' : 'unmapped']++;
  }

  unmapped(kind: ImportRowResult['kind'], ref: string, reason: ImportUnmappedReason, detail: string | null = null): void {
    this.add({ kind, ref, outcome: 'unmapped', reason, detail });
  }

  credited(amount: number): void {
    this.#report.balances.credited += amount;
  }

  build(): ImportReport {
    return this.#report;
  }
}
