import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../src/app/auth/accounts.js';
import { campaignBonusKey, createCampaign } from '../src/app/growth/campaigns.js';
import { notificationsOf } from '../src/db/notifications.js';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { heldPost } from './support/held-post.js';
import { TEST_SECRET_KEYS } from './support/shop-under-test.js';
import { startWebReplicas, type WebReplicas } from './support/web-replicas.js';
import type { TakenSchema } from '../../../packages/storage-postgres/test/support/schema-pool.js';
import { takeShopSchema } from './support/pooled-shop-schema.js';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const ROUNDS = 10;
const BONUS = 300;

/**
 * A new buyer's campaign link handled twice at the same moment by two web replicas (two OS processes, each with its
 * own pool, on one PostgreSQL), one asking for the campaign and one for another: the buyer belongs to one campaign and
 * gets its welcome bonus once (one ledger entry, one notice), and both answers name that campaign.
 */
describe.skipIf(DATABASE_URL === undefined)(
  `a campaign's welcome asked twice at once on two replicas${DATABASE_URL === undefined ? ' (skipped: PANELKIT_TEST_DATABASE_URL is not set)' : ''}`,
  () => {
    let taken: TakenSchema | undefined;
    const env = {
      DATABASE_URL: DATABASE_URL as string,
      DATABASE_SCHEMA: '',
      SHOP_SECRET: 'campaign-replicas-secret-campaign-replicas',
      SHOP_SECRET_KEYS: TEST_SECRET_KEYS,
      SHOP_CURRENCY: 'USD',
      LOG_LEVEL: 'silent',
    };
    let shop: RunningShop;
    let web: WebReplicas | undefined;
    const replicas: string[] = [];
    const owner = { type: 'admin', id: null } as const;

    beforeAll(async () => {
      taken = await takeShopSchema(DATABASE_URL as string);
      env.DATABASE_SCHEMA = taken.schema;
      shop = await openShop(loadConfig({ ...env, DEMO_PANEL: 'off' }), { logger: pino({ level: 'silent' }) });
      for (const slug of ['spring-ads', 'autumn-ads'])
        expect(await createCampaign(shop, { slug, name: slug, bonusAmount: BONUS, welcomeCode: 'WELCOME10' }, owner)).toMatchObject({
          ok: true,
        });
      web = await startWebReplicas(2, env);
      replicas.push(...web.urls);
    }, 120_000);

    afterAll(async () => {
      await web?.stop();
      await shop?.close();
      await taken?.giveBack();
    });

    it(`${ROUNDS} buyers, each joining on two replicas at once: one campaign, one bonus, one notice`, async () => {
      const winners: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const signed = await signUp(shop, { email: `join-${round}@example.com`, password: 'correct horse battery', locale: 'ru' });
        if (!signed.ok) throw new Error('sign-up refused');
        const { customerId } = signed.account;
        const { token } = await shop.apiTokens.create(signed.account.id, 'campaign link');
        const posts = replicas.map((url, i) =>
          heldPost(url, '/api/v1/campaigns/join', token, { campaign: i === 0 ? 'spring-ads' : 'autumn-ads' }),
        );
        await Promise.all(posts.map((p) => p.sent));
        const answers = await Promise.all(posts.map((p) => p.release()));
        expect(answers.map((a) => a.status)).toEqual([200, 200]);
        const attribution = await shop.storage.campaigns.get(customerId);
        expect(attribution).not.toBeNull();
        winners.push(attribution!.campaign);
        expect(answers.map((a) => a.body['campaign'])).toEqual([attribution!.campaign, attribution!.campaign]);
        expect(answers.map((a) => a.body['joined']).sort()).toEqual([false, true]);
        const bonuses = (await shop.storage.ledger.list(customerId, { limit: 10 })).items.filter((e) => e.kind === 'adjustment');
        expect(bonuses.map((e) => [e.amount, e.idempotencyKey])).toEqual([[BONUS, campaignBonusKey(customerId)]]);
        expect(await shop.storage.ledger.balance(customerId, 'USD')).toBe(BONUS);
        const notices = await notificationsOf(shop).history(customerId, { limit: 10 });
        expect(notices.items.filter((n) => n.kind === 'campaign_welcome')).toHaveLength(1);
      }
      expect(winners.every((w) => w === 'spring-ads' || w === 'autumn-ads')).toBe(true);
    }, 180_000);
  },
);
