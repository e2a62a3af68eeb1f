import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { shopBesideReplicas } from './support/shop-beside-replicas.js';
import { launchData } from './support/mini-app-launch.js';
import { TEST_SECRET_KEYS } from './support/shop-under-test.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const BOT_TOKEN = '123456789:REPLICA-mini-app-token_abcdefgh';

/**
 * Mini App sign-ins on three web replicas (three OS processes on one PostgreSQL): one launch data signs in once
 * wherever it is replayed, and one Telegram user opening the Mini App on several replicas at once is one customer
 * with one account. Nothing in one process's memory could hold either.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `Mini App sign-in across replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      SHOP_SECRET: 'miniapp-replicas-secret-miniapp-replicas',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      LOG_LEVEL: 'silent',
      STAFF_TOTP: 'optional',
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      // Nothing here talks to Telegram: a closed port makes sure of it.
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      TELEGRAM_WEBHOOK: 'off',
      PUBLIC_URL: 'http://shop.test',
    };
    const beside = shopBesideReplicas(3, env);

    const signIn = (replica: string, initData: string) => supertest(replica).post('/tg/app/session').send({ initData });

    it('signs one launch data in once, however many replicas it is replayed to at once', async () => {
      for (let round = 0; round < 5; round++) {
        const initData = launchData(BOT_TOKEN, { id: 8800 + round }, new Date(Date.now() - round * 1000));
        const answers = await Promise.all(
          Array.from({ length: 9 }, (_, i) => signIn(beside.replicas[i % beside.replicas.length] as string, initData)),
        );
        const statuses = answers.map((a) => a.status).sort();
        expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409]);
      }
    });

    it('makes one customer and one account for a Telegram user signing in on every replica at once', async () => {
      const at = Date.now();
      const answers = await Promise.all(
        beside.replicas.flatMap((replica, r) =>
          [0, 1].map((k) => signIn(replica, launchData(BOT_TOKEN, { id: 8900 }, new Date(at - (r * 2 + k) * 1000)))),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      const customer = await beside.shop.storage.customers.getByExternalRef('telegram:8900');
      expect(customer).not.toBeNull();
      const account = await beside.shop.accounts.getByCustomer(customer!.id);
      expect(account?.email).toBe('telegram-8900@telegram.invalid');
      const tokens = answers.map((a) =>
        /__Host-pk_session=([^;]+)|pk_session=([^;]+)/.exec(String(a.headers['set-cookie']))?.slice(1).find(Boolean),
      );
      for (const token of tokens) expect(await beside.shop.sessions.accountFor(decodeURIComponent(token as string))).toBe(account?.id);
    });
  },
);
