/**
 * Evacuating a panel from the back office: the page shows where each subscription would go, the
 * button queues the moves, the worker carries them out, the buyer's shop link serves the new server's
 * links at once, the old client is gone, and the buyer is told once ("your server changed").
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsOf } from '../src/db/notifications.js';
import { adminGet, type ExtraPanel, fundedBuyer, postForm, startExtraPanel } from './support/admin-support.js';
import { boughtAndProvisioned, planNamed } from './support/buying.js';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let extra: ExtraPanel;
let admin: Visitor;

beforeAll(async () => {
  t = await startShop();
  extra = await startExtraPanel(t.clock);
  admin = await signedInAdmin(t.app);
});
afterAll(async () => {
  await extra.close();
  await t.close();
});

/** The `/s/<token>` path the buyer's dashboard shows. */
async function linkPathOf(buyer: Visitor): Promise<string> {
  const page = await buyer.agent.get('/dashboard').expect(200);
  const url = /id="shop-link-url" type="text" readonly value="([^"]+)"/.exec(page.text)?.[1];
  if (url === undefined) throw new Error('no shop link on the dashboard');
  return new URL(url).pathname;
}
const linksServed = async (path: string) =>
  Buffer.from((await supertest(t.app).get(path).set('user-agent', 'v2rayNG/1.8.19').expect(200)).text, 'base64')
    .toString('utf8')
    .split('\n');

describe('evacuating a panel from the back office', () => {
  it('previews, moves the buyer to another server in the plan’s location, serves the new links and tells the buyer once', async () => {
    const buyer = await fundedBuyer(t, t.app, 10_000);
    const subId = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const before = (await t.shop.storage.subscriptions.get(subId))!;
    const oldPanelId = before.panelId;
    const path = await linkPathOf(buyer);
    expect(await linksServed(path)).toEqual(before.shareLinks);

    // A second server in Germany, with room.
    const second = await t.shop.kit.panels.add({
      kind: '3x-ui',
      name: 'Frankfurt 2',
      baseUrl: extra.url,
      credentials: { type: 'password', ...extra.login },
      locationTags: ['de'],
    });
    await t.shop.kit.targets.sync(second.id, { capacity: 10 });

    const preview = await adminGet(admin, `/admin/panels/${oldPanelId}/evacuate`);
    expect(preview.html).toContain('data-testid="evacuation-plan"');
    expect(preview.html).toMatch(
      new RegExp(`<a href="/admin/subscriptions/${subId}"[^>]*>${subId}</a></td>\\s*<td>[^<]+</td>\\s*<td>[^<—]+</td>`),
    );
    expect(preview.html).toContain('data-testid="start-evacuation"');
    expect(await t.shop.storage.jobs.list({ state: 'queued' }, { limit: 10 }).then((p) => p.items.length)).toBe(0);

    const started = await postForm(admin, `/admin/panels/${oldPanelId}/evacuate`, {});
    expect(started.status).toBe(303);
    expect(started.headers['location']).toBe(`/admin/panels/${oldPanelId}/evacuate?done=evacuation.started`);
    const progress = await adminGet(admin, started.headers['location'] as string);
    expect(progress.html).toContain('data-testid="evacuation-moving">1<');

    await t.drain();
    const after = (await t.shop.storage.subscriptions.get(subId))!;
    expect(after.panelId).toBe(second.id);
    expect(after.expiresAt?.getTime()).toBe(before.expiresAt?.getTime());
    expect(await extra.sim.countClients(after.remote.username)).toBe(1);
    // The shop link serves the new server's links at once; the old ones are gone from it.
    const served = await linksServed(path);
    expect(served).toEqual(after.shareLinks);
    expect(served.join()).toContain(after.remote.uuid);
    expect(served.join()).not.toContain(before.remote.uuid);
    // The old client is removed from the old panel.
    await t.drain();
    const oldAdapter = await t.shop.kit.panels.adapter(oldPanelId);
    const oldTarget = (await t.shop.storage.targets.get(before.targetId))!;
    const ref = {
      target: { remoteRef: oldTarget.remoteRef, protocol: oldTarget.protocol, remoteMeta: oldTarget.remoteMeta },
      username: before.remote.username,
    };
    expect(await oldAdapter.getClient(ref, { signal: new AbortController().signal, idempotencyKey: 'check' })).toBeNull();

    await t.drain();
    await t.drain();
    const kinds = (await notificationsOf(t.shop).history(buyer.customerId, { limit: 100 })).items.map((n) => n.kind);
    expect(kinds.filter((k) => k === 'server_changed')).toHaveLength(1);
    const done = await adminGet(admin, `/admin/panels/${oldPanelId}/evacuate`);
    expect(done.html).toContain('data-testid="evacuation-remaining">0<');
  });

  it('says on each subscription it leaves behind why it stays (suspended, then expired)', async () => {
    const buyer = await fundedBuyer(t, t.app, 10_000);
    const subId = await boughtAndProvisioned(t, buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const sub = (await t.shop.storage.subscriptions.get(subId))!;
    await t.shop.kit.suspend({ subscriptionId: subId, reason: 'chargeback' });
    const rowOf = (html: string) => new RegExp(`${subId}</a></td>[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
    const suspended = rowOf((await adminGet(admin, `/admin/panels/${sub.panelId}/evacuate`)).html);
    expect(suspended).toContain('data-testid="stay-reason">Suspended by the shop: its client is off.');

    await t.shop.kit.resume({ subscriptionId: subId });
    t.clock.advance(40 * 24 * 3_600_000);
    await t.shop.kit.createScheduler().tick();
    expect((await t.shop.storage.subscriptions.get(subId))!.status).toBe('expired');
    // The owner's session ended with those 40 days: they sign in again.
    const expired = rowOf((await adminGet(await signedInAdmin(t.app), `/admin/panels/${sub.panelId}/evacuate`)).html);
    expect(expired).toContain('data-testid="stay-reason">Its period has ended: there is nothing to carry over.');
  });

  it('is the owner’s: a buyer cannot open or start it', async () => {
    const buyer = await signedUpBuyer(t.app);
    const panel = (await t.shop.storage.panels.list())[0]!;
    expect((await buyer.agent.get(`/admin/panels/${panel.id}/evacuate`)).status).toBe(403);
    expect((await postForm(buyer, `/admin/panels/${panel.id}/evacuate`, {})).status).toBe(403);
  });
});
