import type { ManualClock } from '@panelkit/sdk/testing';
import { createXuiSimulator, serveOnLocalhost, type XuiSimulator } from '@panelkit/panel-adapters/testing';
import type { Express } from 'express';
import { expect } from 'vitest';
import { csrfFrom, signedUpBuyer, type Agent, type ShopUnderTest, type Visitor } from './shop-under-test.js';

/** A third simulated 3x-ui panel on 127.0.0.1 (not registered with the shop: the test adds it). */
export interface ExtraPanel {
  sim: XuiSimulator;
  url: string;
  login: { username: string; password: string };
  close(): Promise<void>;
}

export async function startExtraPanel(
  clock: ManualClock,
  login = { username: 'operator', password: 'panel-secret-Zq81x' },
): Promise<ExtraPanel> {
  const sim = createXuiSimulator({ version: '2.8.x', basePath: '/hidden-path/', credentials: login, clock });
  sim.seedDemo();
  const server = await serveOnLocalhost(sim.handle);
  return { sim, url: `${server.origin}/hidden-path/`, login, close: () => server.close() };
}

/** GETs an admin page (200) and returns its HTML and a fresh CSRF token from it. */
export async function adminGet(admin: Visitor, path: string): Promise<{ html: string; csrf: string }> {
  const res = await admin.agent.get(path);
  expect(res.status, `${path}: ${res.text.slice(0, 300)}`).toBe(200);
  return { html: res.text, csrf: csrfFrom(res.text) };
}

/** POSTs a form with the visitor's CSRF token. */
export function postForm(v: Visitor, path: string, body: Record<string, string | string[]>) {
  return v.agent
    .post(path)
    .type('form')
    .send({ _csrf: v.csrf, ...body });
}

/** A signed-up buyer with `amount` (minor units) in their wallet, as the engine's customer. */
export async function fundedBuyer(
  t: ShopUnderTest,
  app: Express,
  amount: number,
): Promise<Visitor & { email: string; customerId: string }> {
  const buyer = await signedUpBuyer(app);
  const customer = await t.shop.storage.customers.getByEmail(buyer.email);
  if (customer === null) throw new Error('no customer for the buyer');
  await t.shop.kit.topUp({
    customerId: customer.id,
    amount: { amount, currency: t.shop.config.currency },
    idempotencyKey: `test-topup:${customer.id}`,
  });
  return { ...buyer, customerId: customer.id };
}

/** The id in a `Location: /admin/<area>/<id>?…` header. */
export function idFromLocation(location: string | undefined, area: string): string {
  const match = new RegExp(`^/admin/${area}/([a-z]+_[a-z0-9]+)`).exec(location ?? '');
  if (match === null) throw new Error(`no ${area} id in ${location}`);
  return match[1] as string;
}

export type { Agent };
