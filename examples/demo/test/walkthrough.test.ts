import type { Subscription } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSubscription, readBack } from '../src/panel-view.js';
import { openDemoStack, type DemoStack } from '../src/stack.js';
import { clientOf, runWalkthrough, type WalkthroughResult } from '../src/walkthrough.js';

// The whole `npm run demo` story on PGlite in memory and the simulator over real HTTP: a
// regression in the engine, the scheduler, the 3x-ui adapter, the simulator or the Postgres
// storage shows up as a wrong fact here.
describe('the demo walkthrough', () => {
  const clock = new ManualClock('2026-05-01T09:00:00Z');
  let stack: DemoStack;
  let result: WalkthroughResult;
  const lines: string[] = [];
  const provisioned: Subscription[] = [];

  beforeAll(async () => {
    stack = await openDemoStack({ clock, dataDir: null });
    stack.kit.events.on('subscription:provisioned', ({ subscription }) => void provisioned.push(subscription));
    result = await runWalkthrough(stack, clock, (line) => lines.push(line));
  }, 120_000);
  afterAll(() => stack?.close());

  const get = async (id: string) => (await stack.storage.subscriptions.get(id))!;

  it('provisions two active subscriptions on the panel, with a subscription URL and share links', async () => {
    expect(provisioned.map((s) => s.status)).toEqual(['active', 'active']);
    for (const sub of provisioned) {
      expect(sub.subscriptionUrl).toBe(`${stack.subscriptionBaseUrl}${sub.remote.subId}`);
      expect(sub.shareLinks).toHaveLength(1);
      expect(sub.shareLinks[0]).toMatch(new RegExp(`^vless://${sub.remote.uuid}@127\\.0\\.0\\.1:443\\?.*security=reality`));
    }
    expect(lines.some((l) => l.startsWith('  vless://'))).toBe(true);
    expect(lines.some((l) => l.includes('1 link(s) matching the stored ones'))).toBe(true);
  });

  it('serves what a client app fetches from the subscription URL: the stored links', async () => {
    const a = await get(result.subscriptionA);
    const fetched = await fetchSubscription(a.subscriptionUrl!);
    expect(fetched.status).toBe(200);
    // The same client at the same address; the panel picks the REALITY SNI and short id afresh on each fetch.
    expect(fetched.links.map(clientOf)).toEqual(a.shareLinks.map(clientOf));
    expect(fetched.userinfo).toBe(
      `upload=${1 * 1024 ** 3 + 2 * 1024 ** 3}; download=${48 * 1024 ** 3}; total=${50 * 1024 ** 3}; expire=${a.expiresAt!.getTime() / 1000}`,
    );
  });

  it('refuses the early extension with its reason and charges once for the paid one, applied in place', async () => {
    expect(result.extensionRefusedFor).toBe('too_early');
    const ledger = await stack.storage.ledger.list(result.customerId, { limit: 50 });
    expect(ledger.items.map((e) => [e.kind, e.amount]).sort()).toEqual(
      [
        ['extension', -500],
        ['purchase', -1000],
        ['top_up', 1500],
      ].sort(),
    );
    expect(await stack.storage.ledger.balance(result.customerId, 'USD')).toBe(0);
    const a = await get(result.subscriptionA);
    const bought = provisioned.find((s) => s.id === a.id)!;
    expect(a.expiresAt).toEqual(new Date('2026-06-30T09:00:00Z'));
    expect(a.shareLinks).toEqual(bought.shareLinks);
    expect(a.remote.generation).toBe(bought.remote.generation);
    const onPanel = await readBack(stack, a);
    expect(onPanel?.expiry).toEqual({ type: 'at', at: a.expiresAt });
  });

  it('syncs usage, warns at traffic thresholds, limits, expires after warning, and terminates after grace', async () => {
    const a = await get(result.subscriptionA);
    expect(a.status).toBe('limited');
    expect(a.usedBytes).toBe(51 * 1024 ** 3);
    expect(a.notices).toEqual(expect.arrayContaining(['traffic:80', 'traffic:95']));
    expect(result.dryRun.map((i) => [i.action, i.subscriptionId, i.reason])).toEqual([
      ['warn', result.subscriptionB, 'expiry_notice:1440m'],
      ['expire', result.subscriptionB, 'expires_at'],
    ]);
    const b = await get(result.subscriptionB);
    expect(b.status).toBe('terminated');
    expect(await stack.sim.countClients(b.remote.username)).toBe(0);
    expect(await readBack(stack, b)).toBeNull();
    expect((await stack.storage.targets.get(b.targetId))?.allocated).toBe(1);
    expect(lines.some((l) => l.includes('subscription B terminated'))).toBe(true);
  });

  it('reconciles to no drift and reports the hand-made client without touching it', () => {
    const [panel] = result.reconciliation.panels;
    expect(panel).toMatchObject({ missing: [], drifted: [], error: null, orphans: [{ username: 'friend-of-admin', ours: false }] });
    expect(stack.sim.client('friend-of-admin')).toBeDefined();
  });
});
