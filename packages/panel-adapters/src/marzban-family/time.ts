/**
 * Both panels store datetimes naive in UTC and return them without a zone
 * (`"2025-01-12T09:30:15"`, microseconds on SQLite). Parsing such a string with `new Date()` would
 * read it as local time, so a `Z` is appended first.
 */
import { z } from 'zod';

const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** A naive-UTC (or zoned) ISO datetime from the panel, as an instant. */
export function parsePanelDate(text: string): Date | null {
  const normalised = HAS_ZONE.test(text) ? text : `${text}Z`;
  // JavaScript keeps milliseconds only; Python sends microseconds.
  const date = new Date(normalised.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Schema for a panel datetime that may be null. */
export const PanelDateSchema = z
  .string()
  .refine((text) => parsePanelDate(text) !== null, 'not a datetime')
  .nullable();

/** An instant as the panels want it: UTC with a `Z` (both parse it; see the notes, §1.1 and §2.5). */
export function formatPanelDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
