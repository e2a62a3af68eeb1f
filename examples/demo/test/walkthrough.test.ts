import { ManualClock } from '@panelkit/sdk';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { expect, it } from 'vitest';
import { runWalkthrough } from '../src/walkthrough.js';

it('the demo shows what it claims: two orders fit, the third is refused with nothing charged', async () => {
  const clock = new ManualClock('2026-05-01T00:00:00Z');
  const lines: string[] = [];
  const result = await runWalkthrough(createMemoryStorage({ clock }), clock, (l) => lines.push(l));
  expect(result).toMatchObject({ ordersPlaced: 2, refusedForCapacity: 1, balance: 200, jobsClaimed: 2 });
  expect(result.extensionBefore).toMatch(/^refused: too_early \(opens 2026-05-28T00:00:00.000Z\)$/);
  expect(result.extensionAfter).toBe('extend for 500 USD: 50 GiB until 2026-06-30T00:00:00.000Z');
  expect(lines.some((l) => l.includes('already applied, not credited again'))).toBe(true);
});
