import type { Plan } from '@panelkit/sdk';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { csrfFrom, type ShopUnderTest, type Visitor } from './shop-under-test.js';

/** A demo plan by the start of its name (e.g. `Frankfurt · 1 month · 50`). */
export async function planNamed(t: ShopUnderTest, prefix: string): Promise<Plan> {
  const plan = (await t.shop.storage.plans.list()).find((p) => p.name.startsWith(prefix));
  if (plan === undefined) throw new Error(`no demo plan named ${prefix}…`);
  return plan;
}

export async function customerIdOf(t: ShopUnderTest, email: string): Promise<string> {
  const account = await t.shop.accounts.getByEmail(email);
  if (account === null) throw new Error(`no account ${email}`);
  return account.customerId;
}

/** Credits the buyer's wallet through the engine (the wallet pages are another area's). */
export async function fund(t: ShopUnderTest, email: string, amount: number): Promise<string> {
  const customerId = await customerIdOf(t, email);
  await t.shop.kit.topUp({ customerId, amount: { amount, currency: t.config.currency }, idempotencyKey: `test-top-up:${randomUUID()}` });
  return customerId;
}

export async function balanceOf(t: ShopUnderTest, customerId: string): Promise<number> {
  return t.shop.storage.ledger.balance(customerId, t.config.currency);
}

/** The hidden idempotency key the page was rendered with. */
export function idempotencyKeyFrom(pageHtml: string): string {
  const match = /name="idempotencyKey" value="([^"]+)"/.exec(pageHtml);
  if (match === null) throw new Error('no idempotency key on the page');
  return match[1] as string;
}

/** Opens the checkout page and submits it as a browser would; returns the response of the post. */
export async function buy(
  buyer: Visitor,
  planId: string,
  fields: Record<string, string> = {},
): Promise<{ status: number; text: string; headers: Record<string, string> }> {
  const page = await buyer.agent.get(`/checkout/${planId}`).expect(200);
  const res = await buyer.agent
    .post(`/checkout/${planId}`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), idempotencyKey: idempotencyKeyFrom(page.text), quantity: '1', ...fields });
  return { status: res.status, text: res.text, headers: res.headers as Record<string, string> };
}

/** The order id a successful checkout redirected to. */
export function orderIdFrom(location: string | undefined): string {
  const match = /^\/orders\/([^/?]+)/.exec(location ?? '');
  if (match === null) throw new Error(`not an order page: ${location}`);
  return match[1] as string;
}

/** Buys one of the plan and runs the worker until its subscription is live; returns the subscription id. */
export async function boughtAndProvisioned(t: ShopUnderTest, buyer: Visitor, planId: string): Promise<string> {
  const res = await buy(buyer, planId);
  if (res.status !== 303) throw new Error(`checkout answered ${res.status}`);
  const orderId = orderIdFrom(res.headers['location']);
  await t.drain();
  const [sub] = await t.shop.storage.subscriptions.listByOrder(orderId);
  if (sub === undefined) throw new Error('the order has no subscription');
  await leftPending(t, sub.id);
  return sub.id;
}

/**
 * Waits (up to 10 s) for a subscription to leave `pending`. A shop served with its background worker (the browser
 * tests) may have that worker take the provisioning job: `drain()` returns once the test's own worker finds nothing
 * to claim, while the other may still be on the panel (a link read then found no live subscription).
 */
async function leftPending(t: ShopUnderTest, subscriptionId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = (await t.shop.storage.subscriptions.get(subscriptionId))?.status;
    if (status !== 'pending') return;
    if (Date.now() > deadline) throw new Error(`subscription ${subscriptionId} still pending after 10 s`);
    await t.drain();
    await sleep(20);
  }
}
