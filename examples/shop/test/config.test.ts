import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { configSecrets } from '../src/stack/config-secrets.js';

const TEST_KEYS = `k2:${Buffer.alloc(32, 2).toString('base64')},k1:${Buffer.alloc(32, 1).toString('base64')}`;

describe('configuration', () => {
  it('runs on embedded PGlite with the demo panels when nothing is set', () => {
    const config = loadConfig({});
    expect(config.database.kind).toBe('pglite');
    expect(config.demoPanel).toBe(true);
    expect(config.testPayments).toBe(true);
  });

  it('uses PostgreSQL without demo panels or test payments when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db/shop', SHOP_SECRET: 'x'.repeat(32), SHOP_SECRET_KEYS: TEST_KEYS });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@db/shop', password: null });
    expect(config.demoPanel).toBe(false);
    expect(config.testPayments).toBe(false);
    // Demo panels on PostgreSQL do not bring test payments with them, as the README says; only TEST_PAYMENTS does.
    const demo = { DATABASE_URL: 'postgres://u@db/shop', SHOP_SECRET: 'x'.repeat(32), SHOP_SECRET_KEYS: TEST_KEYS, DEMO_PANEL: 'on' };
    expect(loadConfig(demo)).toMatchObject({ demoPanel: true, testPayments: false });
    expect(loadConfig({ ...demo, TEST_PAYMENTS: 'on' }).testPayments).toBe(true);
    expect(loadConfig({ DEMO_PANEL: 'off' }).testPayments).toBe(true);
    expect(loadConfig({ TEST_PAYMENTS: 'off' }).testPayments).toBe(false);
  });

  it('refuses empty required settings (an unfilled `NAME=` line of .env) as missing, naming each one', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'postgres://shop@postgres:5432/shop', SHOP_SECRET: '', SHOP_SECRET_KEYS: '', PGPASSWORD: '' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['SHOP_SECRET:', 'SHOP_SECRET_KEYS:', 'PGPASSWORD:']) expect(problems).toContain(name);
    // The compose file's way: the URL names no password, PGPASSWORD holds it (and the logger blanks it).
    const config = loadConfig({
      DATABASE_URL: 'postgres://shop@postgres:5432/shop',
      PGPASSWORD: 'pg-password-1',
      SHOP_SECRET: 'x'.repeat(32),
      SHOP_SECRET_KEYS: TEST_KEYS,
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://shop@postgres:5432/shop', password: 'pg-password-1' });
    expect(configSecrets(config)).toContain('pg-password-1');
  });

  it('sends email notifications only with SMTP_URL, and then needs MAIL_FROM', () => {
    expect(loadConfig({}).notifications).toEqual({ email: null, staffLocale: 'en' });
    const config = loadConfig({ SMTP_URL: 'smtp://mail.example.com:587', MAIL_FROM: 'Shop <shop@example.com>', STAFF_LOCALE: 'fa' });
    expect(config.notifications).toEqual({
      email: { smtpUrl: 'smtp://mail.example.com:587', from: 'Shop <shop@example.com>' },
      staffLocale: 'fa',
    });
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.com' })).toThrow(/MAIL_FROM/);
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.com', MAIL_FROM: 'a@b.c' })).toThrow(/SMTP_URL/);
  });

  it('moves the Yandex ID / VK ID presets only to fake servers on this machine (SIGN_IN_PRESET_ROOTS, tests only)', () => {
    expect(loadConfig({}).signInPresetRoots).toEqual({});
    expect(loadConfig({ SIGN_IN_PRESET_ROOTS: 'yandex=http://127.0.0.1:4001, vk=http://localhost:4002' }).signInPresetRoots).toEqual({
      yandex: 'http://127.0.0.1:4001',
      vk: 'http://localhost:4002',
    });
    expect(() => loadConfig({ SIGN_IN_PRESET_ROOTS: 'yandex=https://oauth.evil.example' })).toThrow(/SIGN_IN_PRESET_ROOTS/);
    expect(() => loadConfig({ SIGN_IN_PRESET_ROOTS: 'google=http://127.0.0.1:4001' })).toThrow(/SIGN_IN_PRESET_ROOTS/);
  });

  it('lists every problem at once, naming each setting', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', SHOP_CURRENCY: 'dollars', SHOP_TIME_ZONE: 'Mars/Olympus', DEMO_PANEL: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'SHOP_CURRENCY', 'SHOP_TIME_ZONE', 'DEMO_PANEL']) expect(problems).toContain(name);
  });

  it('needs a secret with PostgreSQL, and both halves of paired settings', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/shop' })).toThrow(/SHOP_SECRET/);
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@example.com' })).toThrow(/ADMIN_PASSWORD/);
  });

  it('DEMO_CORE names a v2ray with v2ctl beside it, for the demo panels only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'panelkit-core-config-'));
    try {
      writeFileSync(join(dir, 'v2ray'), '');
      expect(() => loadConfig({ DEMO_CORE: join(dir, 'v2ray') })).toThrow(/DEMO_CORE: no .*v2ray with v2ctl beside it/);
      writeFileSync(join(dir, 'v2ctl'), '');
      expect(loadConfig({ DEMO_CORE: join(dir, 'v2ray') }).demoCore).toBe(join(dir, 'v2ray'));
      expect(() => loadConfig({ DEMO_CORE: join(dir, 'v2ray'), DEMO_PANEL: 'off' })).toThrow(/DEMO_CORE: only the demo panels/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(loadConfig({}).demoCore).toBeNull();
    expect(loadConfig({ DEMO_CORE: 'off' }).demoCore).toBeNull();
  });

  it('turns the Telegram bot on with a token: polling by default, a webhook under PUBLIC_URL, and refuses bad bot settings', () => {
    expect(loadConfig({}).telegram).toBeNull();
    const token = '123456789:AAE-abcdefghijklmnopqrstuvwxyz012345';
    const local = { PUBLIC_URL: 'http://127.0.0.1:3000', TELEGRAM_WEBHOOK: 'off' };
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_ADMIN_IDS: ' 11, 22 ', ...local }).telegram).toEqual({
      token,
      adminIds: ['11', '22'],
      apiRoot: null,
      webhook: null,
      support: null,
      miniApp: { maxAgeSeconds: 3600 },
    });
    // The Mini App: on by default with the bot, its launch data's age window in seconds, or off.
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_MINI_APP_MAX_AGE: '900', ...local }).telegram?.miniApp).toEqual({
      maxAgeSeconds: 900,
    });
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_MINI_APP: 'off', ...local }).telegram?.miniApp).toBeNull();
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_MINI_APP_MAX_AGE: '5', ...local })).toThrow(/TELEGRAM_MINI_APP_MAX_AGE/);
    const hooked = loadConfig({ TELEGRAM_BOT_TOKEN: token, PUBLIC_URL: 'https://shop.example.com/' }).telegram;
    expect(hooked?.webhook).toEqual({ url: 'https://shop.example.com/telegram/webhook', secret: null, maxUpdates: 40 });
    // The updates a replica handles at once: a setting, 1–1000.
    const roomy = { TELEGRAM_BOT_TOKEN: token, PUBLIC_URL: 'https://shop.example.com', TELEGRAM_WEBHOOK_MAX_UPDATES: '200' };
    expect(loadConfig(roomy).telegram?.webhook?.maxUpdates).toBe(200);
    for (const bad of ['0', '1001', 'many'])
      expect(() => loadConfig({ ...roomy, TELEGRAM_WEBHOOK_MAX_UPDATES: bad })).toThrow(/TELEGRAM_WEBHOOK_MAX_UPDATES/);
    expect(
      loadConfig({ TELEGRAM_BOT_TOKEN: token, PUBLIC_URL: 'https://shop.example.com', TELEGRAM_WEBHOOK: 'off' }).telegram?.webhook,
    ).toBeNull();
    let error: unknown;
    try {
      loadConfig({ TELEGRAM_BOT_TOKEN: 'not-a-token', TELEGRAM_ADMIN_IDS: '@someone', TELEGRAM_WEBHOOK_SECRET: 'short' });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_ADMIN_IDS', 'TELEGRAM_WEBHOOK_SECRET']) expect(problems).toContain(name);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK: 'on' })).toThrow(/TELEGRAM_WEBHOOK: on needs PUBLIC_URL/);
  });

  it("refuses a bot without the shop's public address, the only address a buyer's link is given on", () => {
    const token = '123456789:AAE-abcdefghijklmnopqrstuvwxyz012345';
    for (const env of [{ TELEGRAM_BOT_TOKEN: token }, { TELEGRAM_BOT_TOKEN: token, TELEGRAM_WEBHOOK: 'off' }]) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        "PUBLIC_URLS or PUBLIC_URL: required with TELEGRAM_BOT_TOKEN (the shop's address the bot gives buyers their link on)",
      ]);
    }
    // Either setting names the address; without a bot, the embedded default (`npm start`) needs neither.
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: token, PUBLIC_URLS: 'https://a.example.com,https://b.example.com' }).telegram?.token).toBe(
      token,
    );
    expect(loadConfig({}).publicUrls).toEqual([]);
  });

  it('needs secret keys with PostgreSQL, reads them in order, and names a bad one without echoing it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/shop', SHOP_SECRET: 'x'.repeat(32) })).toThrow(
      /SHOP_SECRET_KEYS: required with DATABASE_URL/,
    );
    const config = loadConfig({ DATABASE_URL: 'postgres://db/shop', SHOP_SECRET: 'x'.repeat(32), SHOP_SECRET_KEYS: TEST_KEYS });
    expect(config.secretKeys?.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(loadConfig({}).secretKeys).toBeNull();
    const bad = 'k1:c2hvcnQta2V5';
    expect(() => loadConfig({ SHOP_SECRET_KEYS: bad })).toThrow(/SHOP_SECRET_KEYS: secret key k1 must decode to 32 bytes/);
    expect(() => loadConfig({ SHOP_SECRET_KEYS: bad })).not.toThrow(/c2hvcnQta2V5/);
  });
});
