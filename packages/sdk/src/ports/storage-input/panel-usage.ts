import { PanelUsageReadingSchema } from '../../domain/subscription.js';
import type { PanelUsageReading } from '../../domain/subscription.js';
import { parseInput } from '../../domain/validate.js';
import { MAX_USERNAMES_PER_LOOKUP } from '../storage.js';
import type { PanelUsageOptions } from '../storage.js';
import { inputArray, inputKey, inputRecord, invalidInput } from './checks.js';

/** `subscriptions.recordPanelUsage`'s arguments as every storage checks them. */
export interface PanelUsageInput {
  panelId: string;
  /** One reading per username, the last given for it, in the order first given. */
  readings: PanelUsageReading[];
  observedAt: Date;
  watchPercent: number | null;
}

/**
 * Checks `subscriptions.recordPanelUsage`'s arguments (`ValidationError` on the first bad one, before
 * anything is written) and keeps each username's last reading.
 */
export function parsePanelUsage(panelId: unknown, readings: unknown, options: unknown): PanelUsageInput {
  const panel = inputKey(panelId, 'panel id');
  const items = inputArray(readings, 'panel usage readings', '(root)');
  if (items.length > MAX_USERNAMES_PER_LOOKUP)
    invalidInput('panel usage readings', '(root)', `must hold at most ${MAX_USERNAMES_PER_LOOKUP} items`);
  const byUsername = new Map<string, PanelUsageReading>();
  items.forEach((item, i) => {
    const reading = parseInput(PanelUsageReadingSchema, item, `panel usage reading ${i}`);
    byUsername.set(reading.username, reading);
  });
  const raw = inputRecord(options, 'panel usage options') as Partial<PanelUsageOptions>;
  const observedAt = raw.observedAt;
  if (!(observedAt instanceof Date) || Number.isNaN(observedAt.getTime()))
    invalidInput('panel usage options', 'observedAt', 'must be a valid Date');
  const watchPercent = raw.watchPercent;
  if (watchPercent !== null && !(typeof watchPercent === 'number' && watchPercent >= 0 && watchPercent <= 100))
    invalidInput('panel usage options', 'watchPercent', 'must be null or a number from 0 to 100');
  return { panelId: panel, readings: [...byUsername.values()], observedAt, watchPercent };
}

/** Whether a matched subscription is one `recordPanelUsage` names in `watch`. */
export function watchedForUsage(
  sub: { status: string; trafficLimitBytes: number | null },
  usedBytes: number,
  watchPercent: number | null,
): boolean {
  if (sub.status === 'on_hold') return true;
  if (watchPercent === null || sub.status !== 'active' || sub.trafficLimitBytes === null || sub.trafficLimitBytes <= 0) return false;
  return usedBytes * 100 >= sub.trafficLimitBytes * watchPercent;
}
