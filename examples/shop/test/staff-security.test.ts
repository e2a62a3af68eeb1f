import { SecretKeyError, createSecretBox, formatSecretKeys, generateSecretKey } from '@panelkit/sdk';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffTotpStore } from '../src/db/staff-totp.js';
import { resealShopSecrets } from '../src/db/shop-secrets.js';
import { ADMIN, startShop, visitor, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

/** The code an authenticator app shows now (on the shop's manual clock). */
function codeNow(t: ShopUnderTest, secret: string): string {
  return generateSync({ secret, epoch: Math.floor(t.clock.now().getTime() / 1000) });
}

async function passwordSignIn(t: ShopUnderTest): Promise<Visitor & { location: string }> {
  const v = await visitor(t.app);
  const res = await v.agent
    .post('/signin')
    .type('form')
    .send({ _csrf: v.csrf, ...ADMIN, next: '/admin' })
    .expect(303);
  return { ...v, location: res.headers['location'] as string };
}

const k1 = generateSecretKey('k1');
const k2 = generateSecretKey('k2');

describe('staff sign-in: TOTP, re-authentication and sessions', () => {
  let t: ShopUnderTest;
  let secret: string;
  let recoveryCodes: string[];
  let first: Visitor;

  beforeAll(async () => {
    t = await startShop({
      env: { STAFF_TOTP: 'required', SHOP_SECRET_KEYS: formatSecretKeys([k1]) },
      app: {
        rateLimits: {
          signIn: { limit: 100, windowMs: 60_000 },
          signUp: { limit: 100, windowMs: 60_000 },
          checkout: { limit: 100, windowMs: 60_000 },
        },
      },
    });
  });
  afterAll(() => t.close());

  it('an admin without a second factor is sent to enrol, and the back office refuses form posts', async () => {
    first = await passwordSignIn(t);
    await first.agent.get('/admin').expect(303).expect('location', '/account/security?required=1');
    await first.agent.post('/admin/panels').type('form').send({ _csrf: first.csrf }).expect(403);
    const page = await first.agent.get('/account/security').expect(200);
    expect(page.headers['cache-control']).toContain('no-store');
    expect(page.text).toContain('data:image/svg+xml;base64,');
    secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(page.text)?.[1] as string;
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  });

  it('enrols with a code from the app, showing recovery codes once; the secret is sealed and the codes hashed', async () => {
    const wrong = await first.agent.post('/account/security/totp').type('form').send({ _csrf: first.csrf, code: '000000' });
    expect(wrong.status).toBe(400);
    const done = await first.agent
      .post('/account/security/totp')
      .type('form')
      .send({ _csrf: first.csrf, code: codeNow(t, secret) })
      .expect(201);
    recoveryCodes = [...done.text.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1] as string);
    expect(recoveryCodes).toHaveLength(10);
    await first.agent.get('/admin').expect(200);
    const again = await first.agent.get('/account/security').expect(200);
    expect(again.text).toContain('data-testid="totp-enabled"');
    expect(again.text).not.toContain(secret);
    expect(again.text).not.toContain(recoveryCodes[0]);

    const { rows } = await t.shop.db.query<{ row: string }>(
      `SELECT t::text AS row FROM ${t.shop.shopSchema}.staff_totp t UNION ALL SELECT r::text FROM ${t.shop.shopSchema}.staff_recovery_codes r`,
    );
    const dump = rows.map((r) => r.row).join('\n');
    expect(dump).toContain('pk1.');
    expect(dump).not.toContain(secret);
    for (const code of recoveryCodes) expect(dump).not.toContain(code.replace('-', ''));
  });

  it('signing in then needs the code: the password alone signs nobody in, a wrong or replayed code is refused', async () => {
    t.clock.advance(60_000);
    const v = await passwordSignIn(t);
    expect(v.location).toBe('/signin/second-factor?next=%2Fadmin');
    await v.agent.get('/admin').expect(303).expect('location', '/signin?next=%2Fadmin');
    await v.agent.get('/dashboard').expect(303);
    const code = codeNow(t, secret);
    await v.agent
      .post('/signin/second-factor')
      .type('form')
      .send({ _csrf: v.csrf, code: code === '123456' ? '654321' : '123456' })
      .expect(401);
    await v.agent
      .post('/signin/second-factor')
      .type('form')
      .send({ _csrf: v.csrf, code, next: '/admin' })
      .expect(303)
      .expect('location', '/admin');
    await v.agent.get('/admin').expect(200);

    const replay = await passwordSignIn(t);
    await replay.agent.post('/signin/second-factor').type('form').send({ _csrf: replay.csrf, code }).expect(401);
    await replay.agent
      .post('/signin/second-factor')
      .type('form')
      .send({ _csrf: replay.csrf, code: recoveryCodes[0]?.toUpperCase() })
      .expect(303);
    await replay.agent.get('/admin').expect(200);
    const spent = await passwordSignIn(t);
    await spent.agent.post('/signin/second-factor').type('form').send({ _csrf: spent.csrf, code: recoveryCodes[0] }).expect(401);
  });

  it('five wrong codes end the half-signed-in session: even the right code then needs the password again', async () => {
    t.clock.advance(60_000);
    const v = await passwordSignIn(t);
    const wrong = codeNow(t, secret) === '123456' ? '654321' : '123456';
    for (let i = 0; i < 4; i++) await v.agent.post('/signin/second-factor').type('form').send({ _csrf: v.csrf, code: wrong }).expect(401);
    const last = await v.agent.post('/signin/second-factor').type('form').send({ _csrf: v.csrf, code: wrong }).expect(401);
    expect(last.text).toContain('Too many wrong codes');
    await v.agent
      .post('/signin/second-factor')
      .type('form')
      .send({ _csrf: v.csrf, code: codeNow(t, secret) })
      .expect(303)
      .expect('location', '/signin');
    await v.agent.get('/admin').expect(303).expect('location', '/signin?next=%2Fadmin');
  });

  it('adding or editing a panel needs a password or code from the last few minutes', async () => {
    await first.agent.get('/admin/panels/new').expect(200);
    t.clock.advance(6 * 60_000);
    await first.agent.get('/admin/panels/new').expect(303).expect('location', '/account/reauth?next=%2Fadmin%2Fpanels%2Fnew');
    const before = (await t.shop.storage.panels.list()).length;
    await first.agent.post('/admin/panels').type('form').send({ _csrf: first.csrf, kind: '3x-ui', name: 'x' }).expect(403);
    expect(await t.shop.storage.panels.list()).toHaveLength(before);
    await first.agent
      .post('/account/reauth')
      .type('form')
      .send({ _csrf: first.csrf, password: 'not-the-password', next: '/admin/panels/new' })
      .expect(401);
    await first.agent
      .post('/account/reauth')
      .type('form')
      .send({ _csrf: first.csrf, code: codeNow(t, secret), next: '/admin/panels/new' })
      .expect(303)
      .expect('location', '/admin/panels/new');
    await first.agent.get('/admin/panels/new').expect(200);
    t.clock.advance(6 * 60_000);
    await first.agent
      .post('/account/reauth')
      .type('form')
      .send({ _csrf: first.csrf, password: ADMIN.password, next: '//evil.example' })
      .expect(303)
      .expect('location', '/dashboard');
    await first.agent.get('/admin/panels/new').expect(200);
  });

  it("a stranger's wrong passwords at the owner's email do not lock the signed-in owner out of re-authentication", async () => {
    t.clock.advance(16 * 60_000);
    const stranger = await visitor(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push(
        (
          await stranger.agent
            .post('/signin')
            .type('form')
            .send({ _csrf: stranger.csrf, email: ADMIN.email, password: `guess-${i}` })
        ).status,
      );
    // The account's window is full: sign-in guesses are refused unjudged.
    expect(statuses.slice(-2)).toEqual([429, 429]);
    await first.agent.get('/admin/panels/new').expect(303).expect('location', '/account/reauth?next=%2Fadmin%2Fpanels%2Fnew');
    await first.agent
      .post('/account/reauth')
      .type('form')
      .send({ _csrf: first.csrf, password: ADMIN.password, next: '/admin/panels/new' })
      .expect(303)
      .expect('location', '/admin/panels/new');
    await first.agent.get('/admin/panels/new').expect(200);
    // The session's own budget: its wrong re-confirmations end in 429 for it alone.
    t.clock.advance(6 * 60_000);
    const own: number[] = [];
    for (let i = 0; i < 11; i++)
      own.push(
        (
          await first.agent
            .post('/account/reauth')
            .type('form')
            .send({ _csrf: first.csrf, password: `wrong-${i}` })
        ).status,
      );
    expect(own).toEqual([...Array.from({ length: 10 }, () => 401), 429]);
    t.clock.advance(16 * 60_000);
  });

  it('lists the signed-in sessions and signs out another one by its id', async () => {
    t.clock.advance(60_000);
    const other = await passwordSignIn(t);
    await other.agent
      .post('/signin/second-factor')
      .type('form')
      .send({ _csrf: other.csrf, code: codeNow(t, secret) })
      .expect(303);
    await other.agent.get('/admin').expect(200);
    const page = await first.agent.get('/account/security').expect(200);
    const ids = [...page.text.matchAll(/data-session-id="([0-9a-f]{16})"/g)].map((m) => m[1] as string);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const otherId = ids[0] as string; // newest first
    await first.agent
      .post(`/account/sessions/${otherId}/signout`)
      .type('form')
      .send({ _csrf: first.csrf })
      .expect(303)
      .expect('location', '/account/security?done=security.session_ended');
    await other.agent.get('/admin').expect(303);
    await first.agent.get('/admin').expect(200);
    await first.agent
      .post('/account/sessions/0123456789abcdef/signout')
      .type('form')
      .send({ _csrf: first.csrf })
      .expect(303)
      .expect('location', '/account/security?done=security.session_missing');
  });

  it('a key rotation seals the TOTP secrets again; codes still check under the new key alone, the old key alone is refused', async () => {
    const account = await t.shop.accounts.getByEmail(ADMIN.email);
    const rotated = await resealShopSecrets(t.shop.db, t.shop.shopSchema, createSecretBox([k2, k1]), true);
    expect(rotated).toEqual({ checked: 1, rotated: 1, byKey: { k2: 1 } });
    t.clock.advance(60_000);
    const newKeyOnly = new StaffTotpStore(t.shop.db, t.shop.shopSchema, t.clock, createSecretBox([k2]));
    expect(await newKeyOnly.verify(account?.id as string, codeNow(t, secret))).toBe(true);
    await expect(resealShopSecrets(t.shop.db, t.shop.shopSchema, createSecretBox([k1]), false)).rejects.toThrow(SecretKeyError);
  });
});
