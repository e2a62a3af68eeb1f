/** A CSV file's cell: text as it is, a number as JavaScript writes it (no grouping, `.` for decimals). */
export type CsvCell = string | number;

/**
 * A cell written per RFC 4180: quoted when it holds a comma, a quote, a line break or leading or trailing space,
 * with its quotes doubled. A text cell that starts like a formula (`=`, `+`, `-`, `@`, tab, carriage return) gets a
 * leading `'`, so a spreadsheet opening the export shows the text instead of running it (OWASP "CSV injection");
 * numbers are never prefixed, so a negative figure stays a number.
 */
export function csvCell(value: CsvCell): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: a header row then the rows, each line ended by CRLF (RFC 4180). */
export function csvDocument(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
