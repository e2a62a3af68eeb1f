import type { TimeKey } from '@panelkit/sdk/storage';

/** Code-point order, as `COLLATE "C"` sorts: every id and name tie-break uses it. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareTimeKeys(a: TimeKey, b: TimeKey): number {
  return compareNumbers(a[0], b[0]) || compareStrings(a[1], b[1]);
}
