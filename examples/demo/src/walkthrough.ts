import { EligibilityError, type PlannedItem, type ReconciliationReport, type Subscription } from '@panelkit/sdk';
import { GiB } from './catalog.js';
import { gib, money, when } from './format.js';
import { narrateEvents, type Say } from './narrate.js';
import { fetchSubscription, linksNow, readBack } from './panel-view.js';
import { openShop, sellTwo } from './sell.js';
import type { DemoStack } from './stack.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface WalkthroughResult {
  customerId: string;
  /** A is extended, then runs out of traffic; B is left to expire and is terminated. */
  subscriptionA: string;
  subscriptionB: string;
  extensionRefusedFor: string;
  dryRun: PlannedItem[];
  reconciliation: ReconciliationReport;
}

/** Needs a `ManualClock`-like clock: the story moves time. */
export interface MovableClock {
  now(): Date;
  advance(ms: number): Date;
}

/**
 * The whole life of two subscriptions on a real (simulated) 3x-ui panel over HTTP: sale,
 * provisioning, links, a refused and a paid extension, traffic, warnings, limit, expiry,
 * termination, a dry-run and a reconciliation. Every line is what the engine did or reported.
 */
export async function runWalkthrough(stack: DemoStack, clock: MovableClock, say: Say): Promise<WalkthroughResult> {
  const { kit, sim, storage } = stack;
  const start = clock.now().getTime();
  const labels = new Map<string, string>();
  const name = (id: string) => labels.get(id) ?? id;
  const stopNarrating = narrateEvents(kit, say, name);
  const scheduler = kit.createScheduler();
  const worker = kit.createWorker({ id: 'demo-worker' });
  const heading = (text: string) => say(`\n[day ${Math.floor((clock.now().getTime() - start) / DAY_MS)}, ${when(clock.now())}] ${text}`);
  const tick = async (why: string) => {
    say(`  scheduler tick (${why}):`);
    await scheduler.tick();
    await worker.drain();
  };
  const current = async (id: string): Promise<Subscription> => {
    const sub = await storage.subscriptions.get(id);
    if (sub === null) throw new Error(`subscription ${id} vanished`);
    return sub;
  };

  try {
    heading('Opening the shop');
    const shop = await openShop(stack, say);
    const sale = await sellTwo(stack, shop, say, (placed) => {
      for (const [i, s] of placed.entries()) labels.set(s.id, `subscription ${'AB'[i] ?? i}`);
    });
    const [a, b] = sale.subscriptions;
    if (a === undefined || b === undefined) throw new Error('the checkout did not place two subscriptions');

    heading('What the buyer gets');
    for (const sub of [a, b]) {
      say(`${name(sub.id)}: ${sub.shareLinks.length} share link(s) stored from the panel's answer:`);
      for (const link of sub.shareLinks) say(`  ${link}`);
    }
    const fetched = await fetchSubscription(a.subscriptionUrl ?? '');
    // The same clients at the same addresses; 3x-ui picks a REALITY SNI and short id afresh on every fetch.
    const matches = sameClients(fetched.links, a.shareLinks);
    say(`A's subscription URL, the one to paste into v2rayN, Hiddify or Streisand: ${a.subscriptionUrl ?? '(none)'}`);
    say(
      `  fetched from the panel's subscription service: HTTP ${fetched.status}, ${fetched.links.length} link(s) ${matches ? 'matching the stored ones' : 'DIFFERENT from the stored ones'}; ${fetched.userinfo ?? 'no Subscription-Userinfo'}`,
    );
    await tick('first usage sync');

    heading('The buyer tries to extend A today');
    const early = await kit.quoteExtension(a.id);
    const refusedFor = early.allowed ? 'allowed' : early.reason;
    try {
      await kit.extend({ subscriptionId: a.id, idempotencyKey: 'extend:A:early' });
    } catch (error) {
      if (!EligibilityError.is(error)) throw error;
      const opens = early.allowed ? null : (early.details.opensAt ?? null);
      say(
        `Refused: ${error.reasons.join(', ')}; the extension window opens ${when(opens)}. Nothing charged: balance ${money({ amount: await storage.ledger.balance(sale.customer.id, 'USD'), currency: 'USD' })}.`,
      );
    }

    clock.advance(28 * DAY_MS);
    heading('28 days later: the buyer pays to extend A (and the form is submitted twice)');
    const quote = await kit.quoteExtension(a.id);
    if (quote.allowed)
      say(
        `Quote: ${quote.quote.action} for ${money(quote.quote.price)} → ${gib(quote.quote.newTrafficLimitBytes)} until ${when(quote.quote.newExpiresAt)}; link changes: ${quote.linkChanges ? 'yes' : 'no'}.`,
      );
    const first = await kit.extend({ subscriptionId: a.id, idempotencyKey: 'extend:A:1' });
    const second = await kit.extend({ subscriptionId: a.id, idempotencyKey: 'extend:A:1' });
    say(
      `First submission charged ${first.entry === null ? 'nothing' : money({ amount: -first.entry.amount, currency: first.entry.currency })}; the second was ${second.replayed ? 'a replay: nothing charged, nothing queued' : 'CHARGED AGAIN'}.`,
    );
    await worker.drain();
    const extended = await current(a.id);
    const remote = await readBack(stack, extended);
    const links = await linksNow(stack, extended);
    const sameLinks = links.join('\n') === a.shareLinks.join('\n');
    say(
      `Read back from the panel: expiry ${remote?.expiry.type === 'at' ? when(remote.expiry.at) : (remote?.expiry.type ?? 'client missing')}, limit ${gib(remote?.trafficLimitBytes ?? null)}, enabled ${String(remote?.enabled)}; links ${sameLinks ? 'the same as bought (updated in place)' : 'CHANGED'}.`,
    );

    heading('Over the next hours A uses 42 GiB');
    await sim.addTraffic(a.remote.username, 2 * GiB, 40 * GiB);
    clock.advance(6 * HOUR_MS);
    await tick('usage sync sees it');

    heading("A uses 9 GiB more; the panel's own traffic job disables it");
    await sim.addTraffic(a.remote.username, 1 * GiB, 8 * GiB);
    clock.advance(6 * HOUR_MS);
    say(`  3x-ui disabled ${sim.enforce()} client(s) that ran out (it enforces limits itself, so the engine pushes nothing).`);
    await tick('over the limit');

    const bExpires = b.expiresAt ?? new Date(clock.now().getTime() + DAY_MS);
    clock.advance(bExpires.getTime() - DAY_MS - clock.now().getTime());
    heading('B was never extended and expires tomorrow. The dry-run of the next 24 hours:');
    const plan = await kit.dryRun({ horizonMs: DAY_MS });
    for (const item of plan) say(`  ${when(item.at)} ${item.action} ${name(item.subscriptionId)} (${item.reason})`);
    if (plan.length === 0) say('  nothing due.');
    await tick('the day before');

    clock.advance(DAY_MS + 60_000);
    heading("B's period is over");
    say(`  3x-ui disabled ${sim.enforce()} expired client(s) itself.`);
    await tick('expiry');

    clock.advance(7 * DAY_MS);
    heading('Seven days of grace later');
    await tick('termination after grace');
    const target = await storage.targets.get(b.targetId);
    say(
      `B's client on the panel: ${(await sim.countClients(b.remote.username)) === 0 ? 'gone' : 'STILL THERE'}; ${target?.name ?? 'its target'} holds ${target?.allocated ?? '?'} of ${target?.capacity ?? '?'} slots now.`,
    );

    heading('Someone adds a client by hand in the panel; reconciliation compares panel and storage');
    sim.seedClients(Number(shop.targets[0]?.remoteRef ?? 1), 1, () => ({ email: 'friend-of-admin' }));
    const report = await kit.reconcile();
    for (const p of report.panels) {
      say(
        `  ${p.remoteClients} client(s) on the panel; missing: ${p.missing.length}; drifted: ${p.drifted.map((d) => `${name(d.subscriptionId)} (${d.fields.join(', ')})`).join(', ') || 'none'}; unknown: ${p.orphans.map((o) => `${o.username} (${o.ours ? 'ours' : 'not ours, left alone'})`).join(', ') || 'none'}${p.error ? `; error: ${p.error}` : ''}.`,
      );
    }
    const final = await Promise.all([current(a.id), current(b.id)]);
    const balance = await storage.ledger.balance(sale.customer.id, 'USD');
    say(
      `\nEnd: A ${final[0].status} (${gib(final[0].usedBytes)} used), B ${final[1].status}; wallet ${money({ amount: balance, currency: 'USD' })}.`,
    );
    return {
      customerId: sale.customer.id,
      subscriptionA: a.id,
      subscriptionB: b.id,
      extensionRefusedFor: refusedFor,
      dryRun: plan,
      reconciliation: report,
    };
  } finally {
    stopNarrating();
    await worker.stop();
  }
}

/** A share link without its query and name: protocol, credential, host and port (`vless://<uuid>@host:443`). */
export function clientOf(link: string): string {
  return link.split(/[?#]/, 1)[0]!;
}

/** Whether two lists of share links reach the same clients at the same addresses, in the same order. */
export function sameClients(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((link, i) => clientOf(link) === clientOf(b[i]!));
}
