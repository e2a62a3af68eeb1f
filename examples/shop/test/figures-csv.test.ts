import { describe, expect, it } from 'vitest';
import { csvCell, csvDocument } from '../src/app/stats/csv.js';

describe('the figures CSV escaper', () => {
  it('writes plain text and numbers as they are', () => {
    expect(csvCell('Frankfurt')).toBe('Frankfurt');
    expect(csvCell(1250)).toBe('1250');
    expect(csvCell(-300)).toBe('-300');
    expect(csvCell('1404-01')).toBe('1404-01');
  });

  it('quotes commas, quotes, line breaks and edge spaces, doubling quotes', () => {
    expect(csvCell('Berlin, DE')).toBe('"Berlin, DE"');
    expect(csvCell('the "best" plan')).toBe('"the ""best"" plan"');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
    expect(csvCell(' padded')).toBe('" padded"');
  });

  it('defuses text a spreadsheet would run as a formula, but not negative numbers', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@sum')).toBe("'@sum");
    expect(csvCell(-2)).toBe('-2');
  });

  it('writes a non-finite number as an empty cell', () => {
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('ends every line, the header included, with CRLF', () => {
    expect(
      csvDocument(
        ['month', 'plan'],
        [
          ['2026-03', 'Pro, yearly'],
          ['2026-04', 3],
        ],
      ),
    ).toBe('month,plan\r\n2026-03,"Pro, yearly"\r\n2026-04,3\r\n');
  });
});
