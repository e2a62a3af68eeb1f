import type { Money } from '@panelkit/sdk';
import { GiB } from './catalog.js';

/** Minor units as a price: `500 USD` → `5.00 USD`. (Every currency the demo uses has two decimals.) */
export function money(m: Money): string {
  return `${(m.amount / 100).toFixed(2)} ${m.currency}`;
}

export function gib(bytes: number | null): string {
  if (bytes === null) return 'unlimited';
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

/** `2026-05-01 09:30 UTC`: minutes are all the story needs. */
export function when(date: Date | null): string {
  if (date === null) return 'never';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
