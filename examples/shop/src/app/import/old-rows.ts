import type { ImportSkippedRow } from '@panelkit/sdk';

/** Reads rows from the old bot's database: one SELECT, rows as plain objects. */
export type RowReader = (sql: string) => Promise<Record<string, unknown>[]>;

/** A panel as the old bot stored it: its own key for it (a name or id) and its address. */
export interface OldPanel {
  key: string;
  url: string;
}

/** Gives the id of this shop's panel for one of the old bot's, or `null` when none matches. */
export type PanelResolver = (old: OldPanel) => string | null;

/** What every reader takes besides the database. */
export interface ReaderOptions {
  /** The import's source name (keys every row). */
  source: string;
  currency: string;
  /** Multiplies the old bot's amounts (toman) into this shop's minor units; default 1. */
  amountFactor: number;
  panelFor: PanelResolver;
}

const GiB = 1024 ** 3;

/** A cell as text, trimmed; `''` for NULL. */
export function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Buffer) return value.toString('utf8').trim();
  return String(value).trim();
}

/** A cell as a finite number, or `null` when it is not one (the old bots keep numbers in varchar columns). */
export function numeric(value: unknown): number | null {
  const s = text(value).replaceAll(',', '');
  if (s === '' || !/^-?[0-9]+(\.[0-9]+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** A volume in GB as the old bots store it, in bytes; 0 (or empty) is unlimited. */
export function gigabytes(value: unknown): number | null {
  const gb = numeric(value);
  return gb === null || gb <= 0 ? null : Math.round(gb * GiB);
}

/** An amount in the old bot's unit as this shop's minor units. */
export function amountOf(value: unknown, options: ReaderOptions): number | null {
  const n = numeric(value);
  return n === null ? null : Math.round(n * options.amountFactor);
}

/** Collects rows the reader could not map. */
export class SkippedRows {
  readonly rows: ImportSkippedRow[] = [];
  add(kind: ImportSkippedRow['kind'], ref: string, reason: string, detail: string | null = null): void {
    this.rows.push({ kind, ref: ref.slice(0, 120) || '?', reason, detail: detail === null ? null : detail.slice(0, 500) });
  }
}

/** `scheme://host:port` of a URL, lower-cased, or `null` for text that is not one. */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url.trim());
    const port = u.port === '' ? (u.protocol === 'https:' ? '443' : '80') : u.port;
    return `${u.protocol}//${u.hostname.toLowerCase()}:${port}`;
  } catch {
    return null;
  }
}
