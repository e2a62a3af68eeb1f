import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { holdNetworkChanges, holdQuietNetwork } from '../../../scripts/test-support/network-gate.js';
import { testTempFolder } from '../../../scripts/test-support/temp-root.js';

/** Whether a promise has settled after the gate's pollers had time to look (its poll is 250 ms). */
async function settledWithin(promise: Promise<unknown>, ms = 700): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  await sleep(ms);
  return settled;
}

// The gate between the deployment test (containers) and the browser tests (scripts/test-support/network-gate.ts).
describe('the network gate between containers and browsers', () => {
  it('lets browsers hold together, and holds changes back until the last of them is released', async () => {
    const folder = testTempFolder('network-gate');
    const first = await holdQuietNetwork(folder);
    const second = await holdQuietNetwork(folder);
    const changes = holdNetworkChanges(folder);
    expect(await settledWithin(changes)).toBe(false);
    first();
    first();
    expect(await settledWithin(changes)).toBe(false);
    second();
    expect(await settledWithin(changes)).toBe(true);
    (await changes)();
  });

  it('holds a browser back while changes are held, and a new browser back while changes wait for an open one', async () => {
    const folder = testTempFolder('network-gate');
    const open = await holdQuietNetwork(folder);
    const changes = holdNetworkChanges(folder);
    const late = holdQuietNetwork(folder);
    expect(await settledWithin(late)).toBe(false);
    open();
    const releaseChanges = await changes;
    expect(await settledWithin(late)).toBe(false);
    releaseChanges();
    expect(await settledWithin(late)).toBe(true);
    (await late)();
    // Released, the network can be held for changes again.
    (await holdNetworkChanges(folder))();
  });

  it('passes at once without a gate folder (a file run without the global set-up)', async () => {
    const changes = await holdNetworkChanges(null);
    const quiet = await holdQuietNetwork(null);
    changes();
    quiet();
  });
});
