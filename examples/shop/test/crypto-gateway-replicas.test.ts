import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createApp } from '../src/stack/web-app.js';
import { saveGatewaySettings } from '../src/app/payments/crypto/gateway-settings.js';
import { ipnSignature } from '@panelkit/payment-providers/nowpayments';
import { NowPaymentsSimulator as CryptoGatewaySimulator } from '@panelkit/payment-providers/simulators';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { csrfFrom, TEST_SECRET_KEYS } from './support/shop-under-test.js';
import { startWebReplicas, type WebReplicas } from './support/web-replicas.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const ROUNDS = 8;

/**
 * The gateway's callback delivered to three web replicas (three OS processes on one PostgreSQL) at once, while the buyer
 * returns through a fourth: every payment is credited exactly once. Nothing in-process can serialise them.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `crypto callbacks racing across replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      DATABASE_SCHEMA: '',
      SHOP_SECRET: 'gateway-replicas-secret-gateway-replicas',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      LOG_LEVEL: 'silent',
    };
    let shop: RunningShop;
    let server: Server;
    let sim: CryptoGatewaySimulator;
    let web: WebReplicas | undefined;
    const replicaUrls: string[] = [];

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      env.DATABASE_SCHEMA = taken.schema;
      server = createServer();
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      shop = await openShop(
        loadConfig({ ...env, DEMO_PANEL: 'off', PUBLIC_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
        { logger: pino({ level: 'silent' }) },
      );
      server.on('request', createApp(shop));
      sim = await new CryptoGatewaySimulator().start();
      await saveGatewaySettings(shop, { enabled: true, baseUrl: sim.url, apiKey: sim.apiKey, ipnSecret: sim.ipnSecret }, new Date(), null);
      web = await startWebReplicas(3, env);
      replicaUrls.push(...web.urls);
    }, 120_000);

    afterAll(async () => {
      await web?.stop();
      server?.closeAllConnections();
      await new Promise((done) => server?.close(done));
      await sim?.close();
      await shop?.close();
      await taken?.giveBack();
    });

    it(`credits each of ${ROUNDS} payments once`, async () => {
      const agent = supertest.agent(server);
      const signup = await agent.get('/signup');
      await agent
        .post('/signup')
        .type('form')
        .send({ _csrf: csrfFrom(signup.text), email: 'racer@example.com', password: 'correct horse battery' })
        .expect(303);
      const customerId = (await shop.accounts.getByEmail('racer@example.com'))!.customerId;
      for (let round = 0; round < ROUNDS; round++) {
        const wallet = await agent.get('/wallet').expect(200);
        const key = /data-testid="topup-crypto"[\s\S]*?name="idempotencyKey" value="([^"]+)"/.exec(wallet.text)![1]!;
        const started = await agent
          .post('/wallet/crypto')
          .type('form')
          .send({ _csrf: csrfFrom(wallet.text), amount: '3', idempotencyKey: key })
          .expect(303);
        const invoicePage = await agent.get(started.headers['location'] as string).expect(200);
        const invoiceId = /href="[^"]*\/pay\/(\w+)"/.exec(invoicePage.text)![1]!;
        const paymentId = sim.invoices.get(invoiceId)!.orderId;
        sim.next = { deliveries: 0 };
        const gatewayPaymentId = await sim.pay(invoiceId);
        const body = sim.payments.get(gatewayPaymentId)!;
        const signature = ipnSignature(body, sim.ipnSecret);
        const deliver = (url: string) =>
          fetch(`${url}/payments/crypto/ipn`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-nowpayments-sig': signature },
            body: JSON.stringify(body),
          }).then((r) => r.status);
        const [a, b, c, back] = await Promise.all([
          ...replicaUrls.map(deliver),
          agent.get(`/wallet/crypto/${paymentId}/return?NP_id=${gatewayPaymentId}`).then((r) => r.status),
        ]);
        expect([a, b, c, back]).toEqual([200, 200, 200, 303]);
      }
      const entries = (await shop.storage.ledger.list(customerId, { limit: 100 })).items.filter((e) => e.kind === 'top_up');
      expect(entries).toHaveLength(ROUNDS);
      expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(ROUNDS * 300);
    }, 120_000);
  },
);
