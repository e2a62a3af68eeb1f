/**
 * The JSON API's OpenAPI description (`GET /api/v1/openapi.json`): generated from the schemas the routes
 * parse with and the schemas their answers are held to here, so the description, the routes and the
 * answers cannot drift apart.
 */
import type { Express } from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { openApiPath } from '../src/routes/api/openapi.js';
import {
  ErrorResponse,
  OnePaymentResponse,
  OrderResponse,
  PaymentListResponse,
  PlanListResponse,
  SalesResponse,
  SubscriptionListResponse,
  SubscriptionResponse,
  WalletResponse,
} from '../src/routes/api/response-schemas.js';
import { fundedBuyer } from './support/admin-support.js';
import { boughtAndProvisioned, planNamed } from './support/buying.js';
import { ROOMY_RATE_LIMITS, signedInAdmin, startShop, type ShopUnderTest } from './support/shop-under-test.js';

let t: ShopUnderTest;
let doc: { openapi: string; paths: Record<string, Record<string, OpenApiOperation>> };
interface OpenApiOperation {
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } };
  responses: Record<string, { description: string }>;
}

beforeAll(async () => {
  t = await startShop({ env: { TEST_PAYMENTS: 'on' }, app: { rateLimits: ROOMY_RATE_LIMITS } });
  doc = (await supertest(t.app).get('/api/v1/openapi.json').expect(200).expect('content-type', /json/)).body;
});
afterAll(() => t.close());

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the app serves under `/api/v1`, read off Express's router. */
function apiRoutesOf(app: Express): Set<string> {
  const found = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        if (!layer.route.path.startsWith('/api/v1')) continue;
        for (const [method, on] of Object.entries(layer.route.methods))
          if (on && method !== '_all') found.add(`${method} ${layer.route.path}`);
      } else if (layer.handle?.stack !== undefined) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found;
}

/** Holds an answer to a schema the description was generated from, saying where it differs. */
function holds(schema: z.ZodType, body: unknown): void {
  const result = schema.safeParse(body);
  expect(result.success ? [] : result.error.issues).toEqual([]);
}

describe('the JSON API’s OpenAPI description', () => {
  it('is OpenAPI 3.1, public, and every operation says what it answers', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
    for (const operations of Object.values(doc.paths)) {
      for (const op of Object.values(operations)) expect(Object.keys(op.responses).length).toBeGreaterThan(0);
    }
    expect(doc.paths['/api/v1/plans']?.['get']?.security).toEqual([]);
    expect(doc.paths['/api/v1/subscriptions/{id}']?.['get']?.parameters).toContainEqual(
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    );
  });

  it('describes exactly the routes the app serves under /api/v1', () => {
    const served = [...apiRoutesOf(t.app)].map((route) => {
      const [method, path] = route.split(' ');
      return `${method} ${openApiPath(path!)}`;
    });
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    expect(served.length).toBeGreaterThan(10);
    expect(new Set(described)).toEqual(new Set(served));
  });

  it('gives the request schemas the routes parse with: a field the description does not allow is refused', async () => {
    const checkout = doc.paths['/api/v1/checkout']?.['post']?.requestBody?.content['application/json'].schema;
    expect(checkout?.['additionalProperties']).toBe(false);
    expect(checkout?.['required']).toEqual(expect.arrayContaining(['items', 'idempotencyKey']));
    const b = await fundedBuyer(t, t.app, 10_000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const refused = await b.agent
      .post('/api/v1/checkout')
      .set('x-csrf-token', b.csrf)
      .send({ items: [{ planId: plan.id, quantity: 1 }], idempotencyKey: 'openapi-extra-field-1', qty: 2 })
      .expect(400);
    holds(ErrorResponse, refused.body);
    const topUp = doc.paths['/api/v1/topups/{provider}']?.['post']?.requestBody?.content['application/json'].schema;
    expect(JSON.stringify(topUp)).toContain('amount');
    const wallet = doc.paths['/api/v1/wallet']?.['get']?.parameters ?? [];
    expect(wallet.map((p) => p.name)).toEqual(['limit', 'cursor']);
    await b.agent.get('/api/v1/wallet?limit=1000').expect(400);
  });

  it('answers as described: plans, subscriptions, an order, the wallet, payments, sales and an error', async () => {
    const b = await fundedBuyer(t, t.app, 10_000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const subId = await boughtAndProvisioned(t, b, plan.id);
    holds(PlanListResponse, (await b.agent.get('/api/v1/plans').expect(200)).body);
    const list = (await b.agent.get('/api/v1/subscriptions').expect(200)).body;
    holds(SubscriptionListResponse, list);
    const one = (await b.agent.get(`/api/v1/subscriptions/${subId}`).expect(200)).body;
    holds(SubscriptionResponse, one);
    expect(one.subscriptionUrl).toEqual(expect.any(String));
    holds(OrderResponse, (await b.agent.get(`/api/v1/orders/${one.orderId}`).expect(200)).body);
    holds(WalletResponse, (await b.agent.get('/api/v1/wallet').expect(200)).body);
    const paid = await b.agent
      .post('/api/v1/topups/test')
      .set('x-csrf-token', b.csrf)
      .send({ amount: '5', idempotencyKey: 'openapi-top-up-0001' });
    expect([201, 202]).toContain(paid.status);
    holds(OnePaymentResponse, paid.body);
    holds(PaymentListResponse, (await b.agent.get('/api/v1/payments').expect(200)).body);
    holds(ErrorResponse, (await b.agent.get('/api/v1/orders/ord_nope').expect(404)).body);
    const owner = await signedInAdmin(t.app);
    holds(SalesResponse, (await owner.agent.get('/api/v1/sales').expect(200)).body);
  });
});
