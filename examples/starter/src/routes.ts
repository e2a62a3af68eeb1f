/**
 * The shop's HTTP API on plain `node:http`: the packages take a request's parts (headers, raw body, token) and give
 * back values, so any framework would do the same in as many lines. Buyers are named by their customer id here; a
 * real shop signs them in first (a session, or a Telegram id with `kit.customers.byTelegramId`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PanelkitError, type Panelkit, ValidationError } from '@panelkit/sdk';
import { createFeedHandler } from '@panelkit/subscription-feed';

interface Call {
  method: string;
  headers: IncomingMessage['headers'];
  query: Record<string, string>;
  /** The body as it came: a gateway's signature covers these exact bytes. */
  raw: string;
  json(): Record<string, unknown>;
}
interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: string | object;
}
type Route = [method: string, path: RegExp, answer: (call: Call, ...params: string[]) => Promise<Reply>];

const ok = (body: object): Reply => ({ status: 200, body });
const ADMIN = { type: 'admin', id: 'starter-admin' } as const;
/** HTTP statuses of the SDK's typed errors; others: 503 when a retry may work, else 409 (refused as asked). */
const STATUS: Partial<Record<string, number>> = { VALIDATION_FAILED: 400, PAYMENT_SIGNATURE_INVALID: 400, NOT_FOUND: 404 };

export function createRoutes(kit: Panelkit, publicUrl: () => string, adminToken: string) {
  const linkUrl = (token: string) => `${publicUrl()}/s/${token}`;
  const feed = createFeedHandler({ kit, title: 'Starter VPN', linkUrl });
  /** A request that moves money names itself: a retried or doubled click is the same operation, never a second. */
  const keyOf = (call: Call) => {
    const key = call.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') throw new ValidationError('an Idempotency-Key header is required');
    return key;
  };
  const sha = (text: string) => createHash('sha256').update(text).digest();
  const isAdmin = (call: Call) => timingSafeEqual(sha(call.headers.authorization ?? ''), sha(`Bearer ${adminToken}`));

  const routes: Route[] = [
    [
      'POST',
      /^\/customers$/,
      async (call) => {
        const customer = await kit.customers.create({ email: String(call.json()['email'] ?? '') });
        return ok({ id: customer.id, link: linkUrl(await kit.links.tokenFor(customer.id)) });
      },
    ],
    [
      'GET',
      /^\/customers\/([\w-]+)$/,
      async (_, id) => {
        const customer = await kit.customers.get(id);
        const subscriptions = await kit.customers.subscriptions(customer.id);
        return ok({
          balances: await kit.customers.balances(customer.id),
          subscriptions: subscriptions.map(({ id, status, planId, shareLinks }) => ({ id, status, planId, shareLinks })),
          link: linkUrl(await kit.links.tokenFor(customer.id)),
        });
      },
    ],
    [
      'POST', // buy a plan from the wallet: the order, the debit and the provisioning job are one transaction
      /^\/customers\/([\w-]+)\/orders$/,
      async (call, customerId) => {
        const items = [{ planId: String(call.json()['planId']) }];
        const { order, subscriptions } = await kit.checkout({ customerId, items, idempotencyKey: `order:${customerId}:${keyOf(call)}` });
        return ok({ orderId: order.id, subscriptionIds: subscriptions.map((s) => s.id) });
      },
    ],
    [
      'POST', // top up at YooKassa (RUB) or Stripe: the buyer is sent to the gateway's page
      /^\/customers\/([\w-]+)\/top-ups$/,
      async (call, customerId) => {
        const { provider, amount, currency } = call.json();
        const started = await kit.payments.start({
          customerId,
          providerId: String(provider),
          amount: { amount: Number(amount), currency: String(currency) },
          requestKey: keyOf(call),
          returnUrl: `${publicUrl()}/paid/{paymentId}`,
        });
        // Refused when the buyer already has too many waiting (`too_many_pending`).
        if (!started.ok) return { status: 409, body: { error: started.reason } };
        return ok({ paymentId: started.payment.id, redirectUrl: started.redirectUrl });
      },
    ],
    [
      'GET', // the buyer is back from the gateway: ask it (server to server) what became of the payment
      /^\/paid\/([\w-]+)$/,
      async (call, paymentId) => ok({ outcome: (await kit.payments.verify(paymentId, call.query)).outcome }),
    ],
    [
      'POST', // a gateway's notification: the provider checks it over the exact bytes; the SDK credits at most once
      /^\/webhooks\/(yookassa|stripe)$/,
      async (call, providerId) => {
        const { headers, query, raw } = call;
        const { outcome } = await kit.payments.handleCallback(providerId, {
          headers: flat(headers),
          query,
          body: call.json(),
          rawBody: raw,
        });
        return ok({ outcome });
      },
    ],
    [
      'POST', // give a credited payment back where it was paid (a durable job; the same key is the same refund)
      /^\/admin\/payments\/([\w-]+)\/refund$/,
      async (call, paymentId) => {
        if (!isAdmin(call)) return { status: 401, body: { error: 'UNAUTHORIZED' } };
        const { refund, replayed } = await kit.payments.refund({ paymentId, actor: ADMIN, requestKey: keyOf(call) });
        return ok({ refundId: refund.id, status: refund.status, replayed });
      },
    ],
    [
      'GET', // the buyer's link: each app gets its format (base64, Clash YAML, sing-box JSON) and headers
      /^\/s\/([\w-]+)$/,
      async (call, token) => feed({ method: call.method, headers: flat(call.headers), token }),
    ],
  ];

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    let reply: Reply = { status: 404, body: { error: 'NOT_FOUND' } };
    try {
      for (const [routeMethod, path, answer] of routes) {
        const params = path.exec(url.pathname);
        if (params === null || routeMethod !== method) continue;
        const raw = await bodyOf(req);
        const call: Call = {
          method: req.method ?? 'GET',
          headers: req.headers,
          query: Object.fromEntries(url.searchParams),
          raw,
          json: () => parsed(raw),
        };
        reply = await answer(call, ...params.slice(1));
        break;
      }
    } catch (error) {
      reply = errorReply(error);
    }
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    const type = typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    res.writeHead(reply.status, { 'content-type': type, ...reply.headers }).end(req.method === 'HEAD' ? undefined : text);
  };
}

function errorReply(error: unknown): Reply {
  if (!PanelkitError.is(error)) {
    console.error(error);
    return { status: 500, body: { error: 'INTERNAL' } };
  }
  return { status: STATUS[error.code] ?? (error.retryable ? 503 : 409), body: { error: error.code, message: error.message } };
}

/** Node's headers with repeated ones joined, as the providers and the feed read them. */
const flat = (headers: IncomingMessage['headers']): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));

function parsed(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw || '{}');
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {}
  throw new ValidationError('the body is not a JSON object');
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 65_536) throw new ValidationError('the body is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
