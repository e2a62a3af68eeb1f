/**
 * The link a shop sells carries traffic. A subscription bought through the SDK on the simulated
 * 3x-ui panel, whose inbound is served by a real v2ray core; a second v2ray runs as a client of
 * the subscription's share link (SOCKS5 on 127.0.0.1) and fetches from a local web server. The
 * bytes the web server moved are the bytes the shop shows after a usage sync; the limit, expiry,
 * a paid extension and termination switch the link off and on for real; a wrong credential never
 * connects. Once per protocol v2ray 4.34 runs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Subscription } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import { createMemoryStorage } from '@panelkit/storage-memory';
import { startLinkClient } from '@panelkit/panel-adapters/testing';
import {
  connects,
  CORE_PROTOCOLS,
  coreRig,
  fetchThrough,
  SKIP_CORE,
  startCountingWebServer,
  V2RAY,
  type CountingWebServer,
} from './support/core.js';
import { DAY, openShop, type Shop } from './support/shop.js';

const KiB = 1024;
/** Small enough to reach with a few real requests. */
const LIMIT = 256 * KiB;

async function sub(shop: Shop, id: string): Promise<Subscription> {
  const found = await shop.storage.subscriptions.get(id);
  if (found === null) throw new Error(`subscription ${id} is gone`);
  return found;
}

/** A link with its credential replaced: another uuid, trojan password or shadowsocks password. */
function withWrongCredential(link: string): string {
  const wrongUuid = '00000000-1111-4222-8333-444444444444';
  if (link.startsWith('vmess://')) {
    const json = JSON.parse(Buffer.from(link.slice(8), 'base64').toString('utf8')) as Record<string, unknown>;
    return `vmess://${Buffer.from(JSON.stringify({ ...json, id: wrongUuid })).toString('base64')}`;
  }
  if (link.startsWith('ss://'))
    return link.replace(/^ss:\/\/[^@]+@/, `ss://${Buffer.from('aes-256-gcm:not-the-password').toString('base64url')}@`);
  if (link.startsWith('trojan://')) return link.replace(/^trojan:\/\/[^@]+@/, 'trojan://not-the-password@');
  return link.replace(/^vless:\/\/[^@]+@/, `vless://${wrongUuid}@`);
}

describe.skipIf(SKIP_CORE !== false)(
  `share links through a real v2ray core${SKIP_CORE === false ? '' : ` (skipped: ${SKIP_CORE})`}`,
  () => {
    let web: CountingWebServer;
    /** Link clients and panel cores started by the running test, stopped after it whatever happened. */
    const processes: { stop(): Promise<void> }[] = [];
    let shop: Shop | undefined;

    beforeAll(async () => {
      web = await startCountingWebServer();
    });
    afterEach(async () => {
      for (const running of processes.splice(0)) await running.stop();
      await shop?.close();
      shop = undefined;
    });
    afterAll(async () => {
      await web.close();
    });

    for (const protocol of CORE_PROTOCOLS) {
      it(`${protocol.label}: bought → connects and counts → limit cuts off → extension → expiry → extension → termination`, async () => {
        const clock = new ManualClock('2026-03-01T00:00:00.000Z');
        const rig = await coreRig(protocol, clock);
        const core = rig.sim.core!;
        processes.push(core);
        await core.start();
        const s = await openShop({ clock, storage: createMemoryStorage({ clock }), rig });
        shop = s;
        expect(core.inbounds()).toEqual([expect.objectContaining({ served: true })]);
        const plan = await s.storage.plans.create({
          name: 'tiny',
          family: 'tiny',
          price: { amount: 500, currency: 'USD' },
          durationDays: 30,
          trafficBytes: LIMIT,
          deviceLimit: 1,
        });
        const customerId = await s.customer(5_000);
        const { subscriptions } = await s.kit.checkout({
          customerId,
          items: [{ planId: plan.id, quantity: 1 }],
          idempotencyKey: `core-${protocol.label}`,
        });
        await s.worker.drain();
        const bought = await sub(s, subscriptions[0]!.id);
        expect(bought.status).toBe('active');
        const [link] = bought.shareLinks;
        expect(link).toBeDefined();
        const client = await startLinkClient(V2RAY, link!);
        processes.push(client);
        const impostor = await startLinkClient(V2RAY, withWrongCredential(link!));
        processes.push(impostor);

        // It works, and the shop counts exactly the bytes the web server moved through it.
        const before = web.moved();
        expect(await fetchThrough(client.socksPort, `${web.url}/bytes/${64 * KiB}`)).toBe(64 * KiB);
        await fetchThrough(client.socksPort, `${web.url}/bytes/1000`);
        const after = web.moved();
        const moved = after.read - before.read + (after.written - before.written);
        expect(moved).toBeGreaterThan(65 * KiB);
        expect((await core.trafficJob()).bytes).toBe(moved);
        // The panel's `onlines`: who moved bytes since the last job.
        expect([...rig.sim.state.online]).toEqual([bought.remote.username.toLowerCase()]);
        const synced = await s.tick();
        expect(synced.usage?.failedPanels).toEqual([]);
        expect((await sub(s, bought.id)).usedBytes).toBe(moved);

        // A wrong credential never connects (and counts nothing).
        expect(await connects(impostor.socksPort, `${web.url}/bytes/10`)).toBe(false);
        expect((await core.trafficJob()).bytes).toBe(0);
        expect(rig.sim.state.online.size).toBe(0);

        // Past the limit: the panel's traffic job disables the client, and the next request fails.
        await fetchThrough(client.socksPort, `${web.url}/bytes/${LIMIT}`);
        expect((await core.trafficJob()).disabled).toBe(1);
        expect(await connects(client.socksPort, `${web.url}/bytes/10`)).toBe(false);
        await s.tick();
        await s.worker.drain();
        const limited = await sub(s, bought.id);
        expect(limited.status).toBe('limited');
        expect(limited.usedBytes).toBeGreaterThanOrEqual(LIMIT);

        // A paid extension resets the traffic and brings the link back.
        await extend(s, bought.id, 'after-limit');
        expect(await fetchThrough(client.socksPort, `${web.url}/bytes/10`)).toBe(10);

        // The period ends: the panel's job stops the client; the shop marks it expired.
        const active = await sub(s, bought.id);
        expect(active.status).toBe('active');
        clock.set(active.expiresAt!.getTime() + 1_000);
        expect((await core.trafficJob()).disabled).toBe(1);
        expect(await connects(client.socksPort, `${web.url}/bytes/10`)).toBe(false);
        await s.tick();
        await s.worker.drain();
        expect((await sub(s, bought.id)).status).toBe('expired');

        // Paid again: back on.
        await extend(s, bought.id, 'after-expiry');
        expect(await fetchThrough(client.socksPort, `${web.url}/bytes/10`)).toBe(10);

        // Terminated: the client leaves the panel and the core; the link is dead.
        await s.kit.terminate({ subscriptionId: bought.id, reason: 'test' });
        await s.worker.drain();
        expect((await sub(s, bought.id)).status).toBe('terminated');
        expect(await rig.sim.countClients(bought.remote.username)).toBe(0);
        expect(await connects(client.socksPort, `${web.url}/bytes/10`)).toBe(false);
        expect(core.lastError).toBeUndefined();
      });
    }
  },
);

async function extend(s: Shop, subscriptionId: string, key: string): Promise<void> {
  const quote = await s.kit.quoteExtension(subscriptionId);
  if (!quote.allowed) throw new Error(`extension refused: ${quote.reason}`);
  await s.kit.extend({ subscriptionId, idempotencyKey: key });
  await s.worker.drain();
  const extended = await sub(s, subscriptionId);
  expect(extended.status).toBe('active');
  expect(extended.expiresAt?.getTime()).toBe(quote.quote.newExpiresAt.getTime());
  expect(extended.expiresAt!.getTime()).toBeGreaterThan(s.clock.now().getTime() + 29 * DAY);
}
