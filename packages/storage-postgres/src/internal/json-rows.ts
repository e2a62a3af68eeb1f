import { dec } from './sql.js';
import type { Row } from './sql.js';

/** A column that is a row as JSON (`row_to_json`), or `null`. */
export function jsonRow(value: unknown): Row | null {
  return value === null || value === undefined ? null : dec.json<Row>(value);
}

/** A column that is rows as a JSON array (`json_agg`, `null` when there were none). */
export function jsonRows(value: unknown): Row[] {
  return value === null || value === undefined ? [] : dec.json<Row[]>(value);
}
