import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';

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
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@db/shop' });
    expect(config.demoPanel).toBe(false);
    expect(config.testPayments).toBe(false);
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

  it('needs secret keys with PostgreSQL, reads them in order, and names a bad one without echoing it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/shop', SHOP_SECRET: 'x'.repeat(32) })).toThrow(/SHOP_SECRET_KEYS: required with DATABASE_URL/);
    const config = loadConfig({ DATABASE_URL: 'postgres://db/shop', SHOP_SECRET: 'x'.repeat(32), SHOP_SECRET_KEYS: TEST_KEYS });
    expect(config.secretKeys?.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(loadConfig({}).secretKeys).toBeNull();
    const bad = 'k1:c2hvcnQta2V5';
    expect(() => loadConfig({ SHOP_SECRET_KEYS: bad })).toThrow(/SHOP_SECRET_KEYS: secret key k1 must decode to 32 bytes/);
    expect(() => loadConfig({ SHOP_SECRET_KEYS: bad })).not.toThrow(/c2hvcnQta2V5/);
  });
});
