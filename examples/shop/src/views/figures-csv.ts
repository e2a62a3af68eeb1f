import type { FiguresCalendar } from '@panelkit/sdk/rules';
import { csvDocument, type CsvCell } from '../app/stats/csv.js';
import { monthField } from '../app/stats/figure-months.js';
import type { FigureTable, FigureValue } from '../app/stats/figure-sections.js';
import type { Translate } from '../i18n/translate.js';
import { minorDigits } from '../i18n/format.js';

/** Minor units as a plain decimal of major units (`1250` USD → `12.50`), as a spreadsheet reads it. */
export function majorUnits(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === 0) return String(amount);
  const sign = amount < 0 ? '-' : '';
  const padded = String(Math.abs(amount)).padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/** A cell as the CSV writes it: months in the figures' calendar (`2026-03`, `1404/12`), codes and plain numbers. */
function plain(value: FigureValue, cal: FiguresCalendar): CsvCell {
  switch (value.kind) {
    case 'month':
      return monthField(value.month, cal.calendar);
    case 'count':
      return value.value;
    case 'money':
      return majorUnits(value.amount, value.currency);
    case 'rate':
      return value.value === null ? '' : Math.round(value.value * 10_000) / 10_000;
    case 'text':
      return value.text;
    case 'source':
      return value.source;
    case 'location':
      return value.tag;
    case 'gateway':
      return value.providerId;
    case 'empty':
      return '';
  }
}

/** A section's table as a CSV file: the headings in the reader's language, then the same rows as the page's table. */
export function figureTableCsv(table: FigureTable, t: Translate, cal: FiguresCalendar): string {
  return csvDocument(
    table.columns.map((c) => t(c.key, c.params)),
    table.rows.map((row) => row.map((v) => plain(v, cal))),
  );
}
