import type { Request } from 'express';
import { z } from 'zod';
import type { ReceiptFilters } from './receipt-search.js';
import { parseMajorAmount } from '../../i18n/format.js';
import { asciiDigits } from '../input/digits.js';
import { parseDay } from '../stats/period.js';

/** A day as the overview's period form takes it (`parseDay`: `2026-03-01`, or Jalali `1404/12/10` in any digits), as `YYYY-MM-DD`. */
const DAY = z
  .string()
  .trim()
  .refine((d) => d === '' || parseDay(d) !== null, { message: 'receiptsQueue.errors.day' })
  .optional()
  .transform((d) => {
    const day = d === undefined || d === '' ? null : parseDay(d);
    return day === null ? null : `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
  });

/** The receipts queue's `?q=&status=&provider=&from=&to=`; the status defaults to `pending`. */
export const ReceiptQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .max(200, { message: 'receiptsQueue.errors.q' })
    .optional()
    .transform((q) => (q === undefined || q === '' ? null : q)),
  status: z.enum(['pending', 'approved', 'rejected', 'all'], { message: 'receiptsQueue.errors.status' }).optional().default('pending'),
  provider: z
    .string()
    .max(40)
    .regex(/^[a-z0-9_-]*$/, { message: 'receiptsQueue.errors.provider' })
    .optional()
    .transform((p) => (p === undefined || p === '' ? null : p)),
  from: DAY,
  to: DAY,
});

export type ReceiptQuery = z.output<typeof ReceiptQuerySchema>;

/** The query as the search takes it; a query that reads as an amount also matches that amount. */
export function filtersOf(query: ReceiptQuery, currency: string, timeZone: string): ReceiptFilters {
  const amountText = query.q === null ? null : asciiDigits(query.q).replace(/[,\s]/g, '');
  return {
    text: query.q,
    amount: amountText === null ? null : parseMajorAmount(amountText, currency),
    status: query.status === 'all' ? null : query.status,
    provider: query.provider,
    from: query.from,
    to: query.to,
    timeZone,
  };
}

/** Only the string values of a query (a repeated parameter is refused by the schema as not a string). */
export function rawQuery(req: Request): Record<string, unknown> {
  return { ...req.query };
}
