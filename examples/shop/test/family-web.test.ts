/**
 * Issue 71, family plans on the web: the payer's page (members, an invite link to copy, removal after a
 * confirmation, the member's link refused at once), the page an invite link opens (signed out: sign in first, then
 * back), and a member who sees only their own subscription. Bad input is a 4xx and changes nothing.
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csrfFrom,
  signedUpBuyer,
  startShop,
  visitor,
  type ShopUnderTest,
  type Visitor,
  ROOMY_RATE_LIMITS,
} from './support/shop-under-test.js';
import { buy, fund, orderIdFrom, planNamed } from './support/buying.js';

let t: ShopUnderTest;
let family: Plan;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
  const base = await planNamed(t, 'Frankfurt · 1 month · 50');
  family = await t.shop.storage.plans.create({
    name: 'Family',
    family: 'family-web',
    price: base.price,
    durationDays: 30,
    trafficBytes: null,
    placement: base.placement,
    sharing: { maxMembers: 2 },
  });
});
afterAll(() => t.close());

const form = (buyer: Visitor, path: string, fields: Record<string, string> = {}) =>
  buyer.agent
    .post(path)
    .type('form')
    .send({ _csrf: buyer.csrf, ...fields });

async function payerWithGroup(): Promise<{ payer: Visitor; groupId: string }> {
  const payer = await signedUpBuyer(t.app);
  await fund(t, payer.email, 5000);
  const res = await buy(payer, family.id);
  expect(res.status).toBe(303);
  await t.drain();
  const [sub] = await t.shop.storage.subscriptions.listByOrder(orderIdFrom(res.headers['location']));
  return { payer, groupId: sub!.id };
}

const inviteUrlOf = (html: string) => /value="(http[^"]+\/family\/join\/[A-Za-z0-9_-]{32})"/.exec(html)?.[1] ?? '';

describe('family plans on the web', () => {
  it('invites by a link, lets a signed-in buyer accept it, and removes the member after a confirmation', async () => {
    const { payer, groupId } = await payerWithGroup();
    const subPage = await payer.agent.get(`/subscriptions/${groupId}`).expect(200);
    expect(subPage.text).toContain(`href="/subscriptions/${groupId}/family"`);
    expect((await payer.agent.get(`/subscriptions/${groupId}/family`).expect(200)).text).toContain('data-testid="no-members"');

    const invited = await form(payer, `/subscriptions/${groupId}/invites`).expect(201);
    const url = inviteUrlOf(invited.text);
    expect(url).not.toBe('');
    const path = new URL(url).pathname;

    // Signed out: asked to sign in, then back to the invite.
    const anonymous = await visitor(t.app);
    const away = await anonymous.agent.get(path).expect(303);
    expect(away.headers['location']).toBe(`/signin?next=${encodeURIComponent(path)}`);

    const member = await signedUpBuyer(t.app);
    const join = await member.agent.get(path).expect(200);
    expect(join.text).toContain('data-testid="accept-invite"');
    await form(member, '/family/join', {}).expect(400);
    await form(member, '/family/join', { token: 'short' }).expect(400);
    await member.agent.get('/family/join/not-a-token').expect(404);
    await member.agent
      .post('/family/join')
      .type('form')
      .send({ token: path.split('/').pop() })
      .expect(403);
    expect(
      await t.shop.storage.subscriptions.listByCustomer((await t.shop.accounts.getByEmail(member.email))!.customerId, { limit: 5 }),
    ).toMatchObject({ items: [] });

    const accepted = await form(member, '/family/join', { _csrf: csrfFrom(join.text), token: path.split('/').pop()! }).expect(303);
    const memberSubId = /^\/subscriptions\/([^/?]+)\?done=ownSubscriptions\.joined$/.exec(accepted.headers['location'] ?? '')?.[1] ?? '';
    expect(memberSubId).not.toBe('');
    await t.drain();
    const again = await signedUpBuyer(t.app);
    expect((await form(again, '/family/join', { token: path.split('/').pop()! }).expect(409)).text).toContain('used already');

    // The member sees their own subscription and link, never the payer's group or its page.
    const memberPage = await member.agent.get(`/subscriptions/${memberSubId}`).expect(200);
    expect(memberPage.text).toContain('data-testid="family-member-note"');
    expect(memberPage.text).not.toContain('/family"');
    await member.agent.get(`/subscriptions/${groupId}`).expect(404);
    await member.agent.get(`/subscriptions/${groupId}/family`).expect(404);
    await member.agent.get(`/subscriptions/${memberSubId}/family`).expect(404);
    await form(member, `/subscriptions/${memberSubId}/invites`).expect(404);
    const ownLink =
      /value="([^"]+\/s\/[A-Za-z0-9_-]+)"/.exec((await member.agent.get(`/subscriptions/${memberSubId}/link`).expect(200)).text)?.[1] ?? '';
    const token = ownLink.split('/s/')[1] ?? '';
    expect(await t.shop.kit.links.scope(token, {})).not.toBeNull();

    const list = await payer.agent.get(`/subscriptions/${groupId}/family`).expect(200);
    expect(list.text).toContain(`data-member-id="${memberSubId}"`);
    // Named as the shop knows them (the e-mail's local part), never by the whole address or their link.
    const local = member.email.split('@')[0]!;
    expect(list.text).toMatch(new RegExp(`data-testid="member-name">${local}, joined `));
    expect(list.text).not.toContain(member.email);
    expect(list.text).not.toContain(token);
    const confirm = await payer.agent.get(`/subscriptions/${groupId}/members/${memberSubId}/remove`).expect(200);
    expect(confirm.text).toContain('data-testid="confirm-remove"');
    expect(confirm.text).toContain(`Member: ${local}`);
    expect(confirm.text).not.toContain(member.email);
    // Without the confirmation, by another buyer, or for a member of no group of theirs: refused, nothing changed.
    await form(payer, `/subscriptions/${groupId}/members/${memberSubId}/remove`).expect(400);
    await form(again, `/subscriptions/${groupId}/members/${memberSubId}/remove`, { confirm: 'yes' }).expect(404);
    await form(payer, `/subscriptions/${groupId}/members/${groupId}/remove`, { confirm: 'yes' }).expect(404);
    await payer.agent.get(`/subscriptions/${groupId}/members/${groupId}/remove`).expect(404);
    expect((await t.shop.kit.sharing.membership(memberSubId))?.removedAt).toBeNull();

    const removed = await form(payer, `/subscriptions/${groupId}/members/${memberSubId}/remove`, { confirm: 'yes' }).expect(303);
    expect(removed.headers['location']).toBe(`/subscriptions/${groupId}/family?done=ownSubscriptions.member_removed`);
    expect(await t.shop.kit.links.scope(token, {})).toBeNull();
    expect((await t.shop.storage.subscriptions.get(memberSubId))?.status).toBe('terminated');
    expect((await payer.agent.get(`/subscriptions/${groupId}/family`).expect(200)).text).toContain('data-testid="no-members"');
  });

  it('has no family page for a plan that is not shared', async () => {
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 5000);
    const res = await buy(buyer, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const [sub] = await t.shop.storage.subscriptions.listByOrder(orderIdFrom(res.headers['location']));
    await buyer.agent.get(`/subscriptions/${sub!.id}/family`).expect(404);
    await form(buyer, `/subscriptions/${sub!.id}/invites`).expect(404);
    expect((await buyer.agent.get(`/subscriptions/${sub!.id}`).expect(200)).text).not.toContain('data-testid="family-link"');
  });
});
