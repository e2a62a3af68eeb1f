import type { Clock, ImportProgress, ImportReport, ImportRowResult, SecretBox } from '@panelkit/sdk';
import { transactionSql, type SqlClient } from '@panelkit/storage-postgres';

/** Where an import run is: waiting for the worker, under way, finished, or given up. */
export type ImportRunState = 'queued' | 'running' | 'done' | 'failed';

/** What an import run brings over, as the owner or the command asked it (the database URL sealed at rest). */
export interface ImportRunRequest {
  kind: 'mirza' | 'wizwiz';
  source: string;
  /** `mysql://user:password@host:port/db`: sealed in the table, opened only to connect. */
  databaseUrl: string;
  amountFactor: number;
  /** This shop's panel id for an old panel's key, where the URL does not tell. */
  panels: Readonly<Record<string, string>>;
  dryRun: boolean;
}

/** One import run as the admin page shows it: never the database URL. */
export interface ImportRun {
  id: string;
  kind: string;
  source: string;
  /** The old database's host and name, for the owner to recognise it (no user, no password). */
  database: string;
  amountFactor: number;
  dryRun: boolean;
  state: ImportRunState;
  done: number;
  total: number;
  /** The report's counts once done (`rows` left out: the unmapped ones are in `unmapped`). */
  summary: Omit<ImportReport, 'rows'> | null;
  /** The rows that could not be brought over, with their reasons (at most {@link MAX_UNMAPPED_KEPT}). */
  unmapped: ImportRowResult[];
  error: string | null;
  startedBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** The unmapped rows a run keeps for its page; the command's `--report` file has every row. */
export const MAX_UNMAPPED_KEPT = 2000;

const URL_CONTEXT = (id: string) => `shop_imports.database_url:${id}`;

/** `host:port/db` of a database URL, or `?`; never its user or password. */
export function databaseLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port === '' ? '' : `:${u.port}`}${u.pathname}`;
  } catch {
    return '?';
  }
}

/**
 * The `shop_imports` table: each import of an old bot's database, its progress (rows done of all rows, written
 * after every chunk by the run itself) and its outcome. A record for the admin page, not a queue: a run the owner
 * starts is an SDK host job on the worker (`import-runs.ts`).
 */
export class ImportRunStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
    private readonly secretBox: SecretBox,
  ) {}

  /** Records a new run as `queued`; `tx` is the engine's storage transaction when its job is enqueued with it. */
  async create(id: string, request: ImportRunRequest, startedBy: string | null, tx?: object): Promise<void> {
    const db = tx === undefined ? this.db : transactionSql(tx);
    const now = this.clock.now();
    await db.query(
      `INSERT INTO ${this.schema}.shop_imports
         (id, kind, source, database_url, amount_factor, panels, dry_run, state, started_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, 'queued', $8, $9, $9)`,
      [
        id,
        request.kind,
        request.source,
        this.secretBox.seal(request.databaseUrl, URL_CONTEXT(id)),
        request.amountFactor,
        JSON.stringify(request.panels),
        request.dryRun,
        startedBy,
        now,
      ],
    );
  }

  /** The run's request with its database URL opened, or `null` for an unknown run. */
  async request(id: string): Promise<ImportRunRequest | null> {
    const { rows } = await this.db.query(`SELECT * FROM ${this.schema}.shop_imports WHERE id = $1`, [id]);
    const row = rows[0];
    if (row === undefined) return null;
    return {
      kind: row['kind'] as ImportRunRequest['kind'],
      source: String(row['source']),
      databaseUrl: this.secretBox.open(String(row['database_url']), URL_CONTEXT(id)),
      amountFactor: Number(row['amount_factor']),
      panels: row['panels'] as Record<string, string>,
      dryRun: row['dry_run'] === true,
    };
  }

  /** Marks the run under way (again, after a crash: its progress starts over, the import itself resumes). */
  async started(id: string): Promise<void> {
    const now = this.clock.now();
    await this.db.query(
      `UPDATE ${this.schema}.shop_imports SET state = 'running', done = 0, error = NULL, started_at = coalesce(started_at, $2), updated_at = $2
       WHERE id = $1`,
      [id, now],
    );
  }

  /** Writes how far the run has come. */
  async progress(id: string, progress: ImportProgress): Promise<void> {
    await this.db.query(`UPDATE ${this.schema}.shop_imports SET done = $2, total = $3, updated_at = $4 WHERE id = $1`, [
      id,
      progress.done,
      progress.total,
      this.clock.now(),
    ]);
  }

  /** Marks the run done with its report's counts and unmapped rows. */
  async finished(id: string, report: ImportReport): Promise<void> {
    const { rows, ...summary } = report;
    const unmapped = rows.filter((r) => r.outcome === 'unmapped').slice(0, MAX_UNMAPPED_KEPT);
    const now = this.clock.now();
    await this.db.query(
      `UPDATE ${this.schema}.shop_imports
       SET state = 'done', summary = $2::jsonb, unmapped = $3::jsonb, updated_at = $4, finished_at = $4 WHERE id = $1`,
      [id, JSON.stringify(summary), JSON.stringify(unmapped), now],
    );
  }

  /** Marks the run failed with a reason the owner may read (never the database URL). */
  async failed(id: string, error: string): Promise<void> {
    const now = this.clock.now();
    await this.db.query(
      `UPDATE ${this.schema}.shop_imports SET state = 'failed', error = $2, updated_at = $3, finished_at = $3 WHERE id = $1`,
      [id, error.slice(0, 1000), now],
    );
  }

  /** One run, or `null`. */
  async get(id: string): Promise<ImportRun | null> {
    const { rows } = await this.db.query(`SELECT * FROM ${this.schema}.shop_imports WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : this.#runOf(rows[0]);
  }

  /** The newest runs first. */
  async list(limit: number): Promise<ImportRun[]> {
    const { rows } = await this.db.query(`SELECT * FROM ${this.schema}.shop_imports ORDER BY created_at DESC, id LIMIT $1`, [limit]);
    return rows.map((row) => this.#runOf(row));
  }

  #runOf(row: Record<string, unknown>): ImportRun {
    const id = String(row['id']);
    const time = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
    let database = '?';
    try {
      database = databaseLabel(this.secretBox.open(String(row['database_url']), URL_CONTEXT(id)));
    } catch {
      // Sealed under a key this shop no longer holds: the run still shows, without its address.
    }
    return {
      id,
      kind: String(row['kind']),
      source: String(row['source']),
      database,
      amountFactor: Number(row['amount_factor']),
      dryRun: row['dry_run'] === true,
      state: row['state'] as ImportRunState,
      done: Number(row['done']),
      total: Number(row['total']),
      summary: (row['summary'] ?? null) as ImportRun['summary'],
      unmapped: (row['unmapped'] ?? []) as ImportRowResult[],
      error: (row['error'] ?? null) as string | null,
      startedBy: (row['started_by'] ?? null) as string | null,
      createdAt: time(row['created_at']) as Date,
      startedAt: time(row['started_at']),
      updatedAt: time(row['updated_at']) as Date,
      finishedAt: time(row['finished_at']),
    };
  }
}
