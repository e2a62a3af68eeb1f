/**
 * The shop's HTTP API on plain `node:http`: the packages take a request's parts (headers, raw body, token) and give
 * back values, so any framework does the same in as many lines. Buyers are named by their customer id here; a real
 * shop signs them in first (a session, or a Telegram id with `kit.customers.byTelegramId`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Panelkit, PanelkitError, type Subscription, ValidationError } from '@panelkit/sdk';
import { createConfigFilesHandler, createFeedHandler } from '@panelkit/subscription-feed';

type Reply = { status: number; headers?: Record<string, string>; body: string | Buffer | object };
const ok = (body: object): Reply => ({ status: 200, body });
/** HTTP statuses of the SDK's typed errors; any other: 503 when a retry may work, else 409 (refused as asked). */
const STATUS: Partial<Record<string, number>> = { VALIDATION_FAILED: 400, PAYMENT_SIGNATURE_INVALID: 400, NOT_FOUND: 404 };
const sha256 = (text: string) => createHash('sha256').update(text).digest();
/** What a buyer sees of a subscription: a bundle's parts (an Xray client, a WireGuard peer) share a `bundleId`. */
const shown = ({ id, status, planId, kind, bundleId, shareLinks }: Subscription) => ({ id, status, planId, kind, bundleId, shareLinks });

/** The request listener for `createServer`: `publicUrl()` is the address buyers and gateways reach the shop at. */
export function createRoutes(kit: Panelkit, publicUrl: () => string, adminToken: string) {
  const linkUrl = (token: string) => `${publicUrl()}/s/${token}`;
  const feed = createFeedHandler({ kit, title: 'Starter VPN', linkUrl });
  const files = createConfigFilesHandler({ kit }); // a WireGuard part's .conf, and every part's in a zip

  async function answer(req: IncomingMessage, url: URL, raw: string): Promise<Reply> {
    const [, section, id = '', action, ...more] = url.pathname.split('/');
    const json = () => parsed(raw);
    // A request that moves money names itself: a retried or doubled click is the same operation, never a second.
    const key = () => String(req.headers['idempotency-key'] || fail('an Idempotency-Key header is required'));
    switch (`${req.method} /${section}${id && '/:id'}${action ? `/${action}` : ''}${more.length > 0 ? '/…' : ''}`) {
      case 'POST /customers': {
        const customer = await kit.customers.create({ email: String(json()['email']) });
        return ok({ id: customer.id, link: linkUrl(await kit.links.tokenFor(customer.id)) });
      }
      case 'GET /customers/:id': {
        const { id: customerId } = await kit.customers.get(id);
        const subscriptions = await kit.customers.subscriptions(customerId);
        return ok({
          balances: await kit.customers.balances(customerId),
          subscriptions: subscriptions.map(shown),
          link: linkUrl(await kit.links.tokenFor(customerId)),
        });
      }
      case 'POST /customers/:id/orders': {
        // Buys a plan from the wallet: the order, the debit and the provisioning job are one transaction.
        const items = [{ planId: String(json()['planId']) }];
        const { order, subscriptions } = await kit.checkout({ customerId: id, items, idempotencyKey: `order:${id}:${key()}` });
        return ok({ orderId: order.id, subscriptionIds: subscriptions.map((s) => s.id) });
      }
      case 'POST /customers/:id/top-ups': {
        // Opens a payment at YooKassa or Stripe; the buyer pays on the gateway's page (`redirectUrl`).
        const { provider, amount, currency } = json();
        const started = await kit.payments.start({
          customerId: id,
          providerId: String(provider),
          amount: { amount: Number(amount), currency: String(currency) },
          requestKey: key(),
          returnUrl: `${publicUrl()}/paid/{paymentId}`,
        });
        if (!started.ok) return { status: 409, body: { error: started.reason } }; // e.g. too many waiting already
        return ok({ paymentId: started.payment.id, redirectUrl: started.redirectUrl });
      }
      case 'GET /paid/:id': // the buyer is back: ask the gateway (server to server), never the buyer's URL
        return ok({ outcome: (await kit.payments.verify(id, Object.fromEntries(url.searchParams))).outcome });
      case 'POST /webhooks/:id': {
        // The provider checks the notification over its exact bytes; the SDK credits a payment at most once.
        const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, String(value)]));
        const callback = { headers, body: json(), rawBody: raw, query: Object.fromEntries(url.searchParams) };
        return ok({ outcome: (await kit.payments.handleCallback(id, callback)).outcome });
      }
      case 'POST /refunds/:id': {
        // Gives a credited payment back where it was paid: a durable job; the same key is the same refund.
        const bearer = `Bearer ${adminToken}`;
        if (!timingSafeEqual(sha256(req.headers.authorization ?? ''), sha256(bearer)))
          return { status: 401, body: { error: 'UNAUTHORIZED' } };
        const actor = { type: 'admin' as const, id: 'starter-admin' };
        const { refund, replayed } = await kit.payments.refund({ paymentId: id, actor, requestKey: key() });
        return ok({ refundId: refund.id, status: refund.status, replayed });
      }
      case 'GET /s/:id': // the buyer's link: each app its format (base64, Clash YAML, sing-box JSON) and headers
      case 'HEAD /s/:id':
        return feed({ method: req.method ?? 'GET', headers: req.headers, token: id });
      case 'GET /s/:id/config/…': // a WireGuard part's .conf: /s/<token>/config/<subscription id>.conf
      case 'GET /s/:id/configs.zip':
        return files({ method: 'GET', headers: req.headers, token: id, file: [action, ...more].join('/') });
      default:
        return { status: 404, body: { error: 'NOT_FOUND' } };
    }
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const reply = await bodyOf(req)
      .then((raw) => answer(req, new URL(req.url ?? '/', 'http://localhost'), raw))
      .catch(errorReply);
    const text = typeof reply.body === 'string' || Buffer.isBuffer(reply.body);
    res
      .writeHead(reply.status, { 'content-type': text ? 'text/plain; charset=utf-8' : 'application/json', ...reply.headers })
      .end(req.method === 'HEAD' ? undefined : text ? reply.body : JSON.stringify(reply.body));
  };
}

function errorReply(error: unknown): Reply {
  if (PanelkitError.is(error)) {
    return { status: STATUS[error.code] ?? (error.retryable ? 503 : 409), body: { error: error.code, message: error.message } };
  }
  console.error(error);
  return { status: 500, body: { error: 'INTERNAL' } };
}

function fail(message: string): never {
  throw new ValidationError(message);
}

function parsed(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw || '{}');
  } catch {}
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : fail('the body is not a JSON object');
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if ((size += chunk.length) > 65_536) fail('the body is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
