import supertest from 'supertest';
import { csrfFrom } from './csrf.js';

/**
 * What an owner and a buyer do in a browser, over HTTP against a running shop (a deployed one: no access to
 * its process). Each step opens its page first, as a browser would, for the form's CSRF token.
 */
export type WebSession = ReturnType<typeof supertest.agent>;

/** A cookie-keeping browser on the shop at `url`. */
export function browser(url: string): WebSession {
  return supertest.agent(url);
}

async function page(session: WebSession, path: string): Promise<string> {
  const res = await session.get(path);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.text;
}

async function post(session: WebSession, from: string, path: string, fields: Record<string, string | string[]>) {
  const html = await page(session, from);
  return session
    .post(path)
    .type('form')
    .send({ _csrf: csrfFrom(html), ...fields });
}

function expectRedirect(res: { status: number; text: string; headers: Record<string, string> }, what: string): string {
  if (res.status !== 303) throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 500)}`);
  return res.headers['location'] ?? '';
}

/** Signs up with e-mail and password (a new buyer). */
export async function signUp(session: WebSession, email: string, password: string): Promise<void> {
  expectRedirect(await post(session, '/signin', '/signup', { email, password }), 'sign-up');
}

/** Whether the password opens a session (303 to the account; a refusal re-renders the form). */
export async function signIn(session: WebSession, email: string, password: string): Promise<boolean> {
  return (await post(session, '/signin', '/signin', { email, password })).status === 303;
}

/** A 3x-ui panel the owner adds in Admin → Panels, then syncs its inbounds as targets; the panel's id. */
export async function addPanel(
  owner: WebSession,
  panel: { name: string; baseUrl: string; username: string; password: string; locationTags: string },
): Promise<string> {
  const fields = { kind: '3x-ui', ...panel, subscriptionBaseUrl: '', linkHost: 'panel.example.com', enabled: 'on', intent: 'save' };
  const location = expectRedirect(await post(owner, '/admin/panels/new', '/admin/panels', fields), 'adding the panel');
  const id = /^\/admin\/panels\/([a-z]+_[a-z0-9]+)/.exec(location)?.[1];
  if (id === undefined) throw new Error(`no panel id in ${location}`);
  const sync = await post(owner, `/admin/panels/${id}`, `/admin/panels/${id}/sync`, { capacity: '' });
  if (sync.status !== 200 || !sync.text.includes('data-testid="sync-added"')) throw new Error(`syncing the panel answered ${sync.status}`);
  return id;
}

/** A plan the owner creates in Admin → Plans (on sale, provisioned at once), in the panel's location; its id. */
export async function addPlan(owner: WebSession, name: string, location: string): Promise<string> {
  const fields = {
    name,
    family: 'deploy',
    description: 'One month',
    price: '5.00',
    durationDays: '30',
    trafficGiB: '50',
    deviceLimit: '',
    maxClients: '',
    allowedLocations: location,
    autoProvision: 'on',
    renewable: 'on',
    onSale: 'on',
    trialDays: '',
    trialGiB: '',
    extensionWindowDays: '3',
    trafficOnExtend: 'carry_over',
    daysOnExtend: 'stack',
  };
  expectRedirect(await post(owner, '/admin/plans/new', '/admin/plans', fields), 'creating the plan');
  const catalog = await page(owner, '/');
  const at = catalog.indexOf(name);
  const id = at < 0 ? undefined : /\/checkout\/([a-z]+_[a-z0-9]+)/.exec(catalog.slice(at))?.[1];
  if (id === undefined) throw new Error(`the catalog does not sell ${name}`);
  return id;
}

/** The owner credits a buyer's wallet in Admin → Customers (a payment received outside the shop). */
export async function credit(owner: WebSession, email: string, amount: string): Promise<void> {
  const found = await page(owner, `/admin/customers?q=${encodeURIComponent(email)}`);
  const id = /href="\/admin\/customers\/([a-z]+_[a-z0-9]+)"/.exec(found)?.[1];
  if (id === undefined) throw new Error(`no customer ${email} in Admin → Customers`);
  const html = await page(owner, `/admin/customers/${id}`);
  const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const res = await owner
    .post(`/admin/customers/${id}/adjust`)
    .type('form')
    .send({ _csrf: csrfFrom(html), direction: 'credit', amount, note: 'bank transfer', nonce });
  expectRedirect(res, 'crediting the wallet');
}

/** The buyer checks out `quantity` of the plan from its checkout page; the order's id. */
export async function buy(buyer: WebSession, planId: string, quantity = 1): Promise<string> {
  const html = await page(buyer, `/checkout/${planId}?quantity=${quantity}`);
  const idempotencyKey = /name="idempotencyKey" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const res = await buyer
    .post(`/checkout/${planId}`)
    .type('form')
    .send({ _csrf: csrfFrom(html), idempotencyKey, quantity: String(quantity) });
  const location = expectRedirect(res, 'the checkout');
  const id = /^\/orders\/([^/?]+)/.exec(location)?.[1];
  if (id === undefined) throw new Error(`not an order page: ${location}`);
  return id;
}

/** The order as its buyer's page shows it: status, each subscription's status, and the buyer's link once live. */
export async function orderOf(
  buyer: WebSession,
  orderId: string,
): Promise<{ status: string; subscriptions: string[]; link: string | null }> {
  const html = await page(buyer, `/orders/${orderId}`);
  const status = /data-testid="order-status" data-status="([a-z_]+)"/.exec(html)?.[1] ?? 'unknown';
  const subscriptions = [...html.matchAll(/data-testid="order-subscription" data-subscription-id="([^"]+)"/g)].map((m) => m[1] as string);
  const link = /(https?:\/\/[^"<\s]+\/s\/[A-Za-z0-9_-]+)/.exec(html)?.[1] ?? null;
  return { status, subscriptions, link };
}

/** What a client app (v2rayNG) gets from the buyer's `/s/` link on the shop at `url`: its status and share links. */
export async function linkFeed(url: string, link: string): Promise<{ status: number; links: string[] }> {
  const token = new URL(link).pathname;
  const res = await fetch(`${url}${token}`, { headers: { 'user-agent': 'v2rayNG/1.9.16' } });
  const body = await res.text();
  const text = Buffer.from(body, 'base64').toString('utf8');
  return { status: res.status, links: text.split('\n').filter((l) => /^[a-z0-9]+:\/\//.test(l)) };
}
