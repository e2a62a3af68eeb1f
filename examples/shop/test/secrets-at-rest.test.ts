import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretKeyError } from '@panelkit/sdk';
import { ManualClock } from '@panelkit/sdk/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAUTH_WINDOW_MS } from '../src/http/staff-security.js';
import { backupShop } from '../src/app/backup/shop-backup.js';
import { loadConfig } from '../src/config/config.js';
import { readSetting } from '../src/db/shop-settings.js';
import { gatewaySettings } from '../src/app/payments/crypto/gateway-settings.js';
import { BOT_TOKEN_SETTING } from '../src/app/ops/shop-settings.js';
import { ensureStartupAdmin } from '../src/stack/admin-account.js';
import { openShop } from '../src/stack/shop.js';
import { explainStartupError } from '../src/stack/startup-errors.js';
import { SESSION_COOKIE } from '../src/http/viewer.js';
import { notificationsOf } from '../src/db/notifications.js';
import { tempFolder } from './support/backup-helpers.js';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { buyerLinkOf } from '../src/app/subscriptions/buyer-link.js';
import {
  ADMIN,
  TEST_START,
  csrfFrom,
  signedInAdmin,
  signedUpBuyer,
  startShop,
  type ShopUnderTest,
  type Visitor,
} from './support/shop-under-test.js';

/** Every row of every table of the engine's and the shop's schemas, as text: what a dump of the database holds. */
async function dumpDatabase(t: ShopUnderTest): Promise<string> {
  const { rows } = await t.shop.db.query<{ table_schema: string; table_name: string }>(
    'SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY($1)',
    [[t.config.schema, `${t.config.schema}_shop`]],
  );
  expect(rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['panels', 'accounts', 'sessions', 'api_tokens']));
  const parts: string[] = [];
  for (const { table_schema, table_name } of rows) {
    const { rows: data } = await t.shop.db.query<{ row: string }>(`SELECT t::text AS row FROM "${table_schema}"."${table_name}" t`);
    parts.push(...data.map((d) => d.row));
  }
  return parts.join('\n');
}

/** The session cookie's value, as the browser holds it. */
function sessionCookie(agent: Visitor['agent']): string {
  const value = (agent as unknown as { jar: { getCookie(name: string, access: object): { value: string } | undefined } }).jar.getCookie(
    SESSION_COOKIE,
    {
      domain: '127.0.0.1',
      path: '/',
      secure: false,
      script: false,
    },
  )?.value;
  if (value === undefined || value.length < 20) throw new Error('no session cookie');
  return value;
}

describe('secrets at rest in the shop', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    // A public address: a bot token is saved only with one (the bot gives buyers their link on it).
    t = await startShop({ env: { PUBLIC_URL: 'http://shop.test' } });
  });
  afterAll(() => t.close());

  it('a dump of every table holds no panel password, account password, session cookie or API token', async () => {
    const admin = await signedInAdmin(t.app);
    const buyer = await signedUpBuyer(t.app);
    const sessionTokens = [admin, buyer].map((v) => sessionCookie(v.agent));
    const account = await t.shop.accounts.getByEmail(ADMIN.email);
    const { token: apiToken } = await t.shop.apiTokens.create(account?.id as string, 'bot');
    const panelPasswords = (t.shop.demo?.panels ?? []).map((p) => p.login.password);
    expect(panelPasswords.length).toBeGreaterThan(0);

    const dump = await dumpDatabase(t);
    for (const secret of [...panelPasswords, ADMIN.password, 'correct horse battery', apiToken, ...sessionTokens])
      expect(dump).not.toContain(secret);
    expect(dump).toContain('pk1.demo1.');
    const panel = await t.shop.storage.panels.get(t.shop.demo?.panels[0]?.panel.id as string);
    expect(panel?.credentials).toEqual({ type: 'password', ...t.shop.demo?.panels[0]?.login });
  });

  it('a gateway key, its IPN secret and a bot token saved in the settings are in neither a dump nor a backup', async () => {
    const owner = await signedInAdmin(t.app);
    t.clock.advance(REAUTH_WINDOW_MS + 1000);
    const secrets = {
      gatewayApiKey: 'NP-API-KEY-7f3a9c2e11',
      gatewayIpnSecret: 'ipn-secret-91b2c7d4e5f6',
      botToken: '123456789:AAE-this-is-a-bot-token-value-xyz12',
    };
    const refused = await owner.agent
      .post('/admin/settings')
      .type('form')
      .send({ _csrf: owner.csrf, gatewayEnabled: 'on', gatewayBaseUrl: 'https://api.nowpayments.io/', ...secrets });
    expect(refused.status).toBe(403);
    await owner.agent
      .post('/account/reauth')
      .type('form')
      .send({ _csrf: owner.csrf, password: ADMIN.password, next: '/admin/settings' })
      .expect(303);
    const page = await owner.agent.get('/admin/settings').expect(200);
    await owner.agent
      .post('/admin/settings')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), gatewayEnabled: 'on', gatewayBaseUrl: 'https://api.nowpayments.io/', ...secrets })
      .expect(303);
    // Empty secret fields keep what is stored; the page never shows a stored secret back.
    const again = await owner.agent.get('/admin/settings').expect(200);
    for (const secret of Object.values(secrets)) expect(again.text).not.toContain(secret);
    await owner.agent
      .post('/admin/settings')
      .type('form')
      .send({
        _csrf: csrfFrom(again.text),
        gatewayEnabled: 'on',
        gatewayBaseUrl: 'https://api.nowpayments.io/',
        gatewayApiKey: '',
        gatewayIpnSecret: '',
        botToken: '',
      })
      .expect(303);
    expect(await gatewaySettings(t.shop)).toEqual({
      enabled: true,
      baseUrl: 'https://api.nowpayments.io/',
      apiKey: secrets.gatewayApiKey,
      ipnSecret: secrets.gatewayIpnSecret,
    });
    expect((await readSetting<unknown, { token: string }>(t.shop, BOT_TOKEN_SETTING))?.secret).toEqual({ token: secrets.botToken });

    const panelPasswords = (t.shop.demo?.panels ?? []).map((p) => p.login.password);
    const dump = await dumpDatabase(t);
    const file = join(tempFolder('dump'), 'backup.ndjson.gz');
    await backupShop(t.shop, createWriteStream(file));
    const backup = gunzipSync(readFileSync(file)).toString('utf8');
    for (const secret of [...Object.values(secrets), ...panelPasswords]) {
      expect(dump).not.toContain(secret);
      expect(backup).not.toContain(secret);
    }
    expect(backup).toContain('"sealed":"pk1.demo1.');
    const audit = await t.shop.storage.audit.list({ subjectType: 'shop' }, { limit: 5 });
    expect(JSON.stringify(audit.items)).not.toContain(secrets.gatewayApiKey);
  });

  it("a buyer's client credentials, share links and subscription URL are in neither a dump, a backup nor a notification row", async () => {
    const b = await signedUpBuyer(t.app);
    await fund(t, b.email, 1_000_000);
    const subId = await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
    const sub = (await t.shop.storage.subscriptions.get(subId))!;
    expect(sub.status).toBe('active');
    expect(sub.subscriptionUrl).not.toBeNull();
    expect(sub.shareLinks.length).toBeGreaterThan(0);
    await t.drain();
    const [notice] = (await notificationsOf(t.shop).history(sub.customerId, { limit: 5 })).items;
    expect(notice?.kind).toBe('subscription_provisioned');
    // The buyer still reads their link (the shop's, never the panel's) in the history: it is completed when shown.
    const history = (await b.agent.get('/account/notifications').expect(200)).text;
    expect(history).toContain(await buyerLinkOf(t.shop, sub.customerId));
    expect(history).not.toContain(sub.subscriptionUrl!);

    const clientSecrets = [
      sub.remote.uuid,
      sub.remote.password,
      sub.remote.subId,
      sub.remote.ssKey,
      sub.subscriptionUrl!,
      ...sub.shareLinks,
    ];
    const dump = await dumpDatabase(t);
    const file = join(tempFolder('dump'), 'backup.ndjson.gz');
    await backupShop(t.shop, createWriteStream(file));
    const backup = gunzipSync(readFileSync(file)).toString('utf8');
    for (const secret of clientSecrets) {
      expect(dump).not.toContain(secret);
      expect(backup).not.toContain(secret);
    }
    expect(dump).toContain(sub.remote.username);
  });

  it('keeps the settings to the owner', async () => {
    const staff = await signedUpBuyer(t.app);
    await t.shop.accounts.setRole((await t.shop.accounts.getByEmail(staff.email))!.id, 'support');
    await staff.agent.get('/admin/settings').expect(403);
    await staff.agent.post('/admin/settings').type('form').send({ _csrf: staff.csrf, botToken: '1:x' }).expect(403);
  });
});

describe('the shop with the wrong secret key', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'panelkit-shop-keys-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('remembers its demo key in the data folder but no login in plain text, and refuses to start with another key', async () => {
    const clock = new ManualClock(TEST_START);
    const logger = pino({ level: 'silent' });
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const first = await openShop(config, { clock, logger });
    const password = first.demo?.panels[0]?.login.password as string;
    const admin = await ensureStartupAdmin(first, dataDir);
    await first.close();
    expect(readdirSync(dataDir)).toContain('secret-keys.json');
    expect(readFileSync(join(dataDir, 'secret-keys.json'), 'utf8')).toMatch(/"demo1:/);
    const files = readdirSync(dataDir).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(expect.arrayContaining(['demo-admin.json', 'demo-panel-fra.json']));
    for (const file of files) {
      const text = readFileSync(join(dataDir, file), 'utf8');
      expect(text).not.toContain(password);
      expect(text).not.toContain(admin?.password);
    }

    // The next start finds the same logins: the panels' from their sealed credentials, the admin's from its sealed file.
    const second = await openShop(config, { clock, logger });
    expect(second.demo?.panels[0]?.login.password).toBe(password);
    expect((await ensureStartupAdmin(second, dataDir))?.password).toBe(admin?.password);
    await second.close();

    const wrong = `other:${Buffer.alloc(32, 9).toString('base64')}`;
    const error = await openShop(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', SHOP_SECRET_KEYS: wrong }), { clock, logger }).catch(
      (e: unknown) => e,
    );
    expect(SecretKeyError.is(error)).toBe(true);
    expect(explainStartupError(error)).toMatch(
      /secret keys do not fit the database: .*sealed with key demo1, which is not among the keys given \(other\)/,
    );
    expect(String(explainStartupError(error))).not.toContain(password);
  }, 120_000);
});
