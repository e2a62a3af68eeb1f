import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import supertest from 'supertest';
import { verifyPassword } from '../src/app/auth/password.js';
import { RESET_TTL_MS } from '../src/db/password-resets.js';
import { createApp } from '../src/stack/web-app.js';
import { shopChannels } from '../src/stack/notification-channels.js';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { createLogger } from '../src/logging/logger.js';
import { hashToken } from '../src/db/sessions.js';
import { csrfFrom, signedInAdmin, signedUpBuyer, startShop, visitor, type ShopUnderTest } from './support/shop-under-test.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const PUBLIC_URL = 'http://shop.example.com';
const NEW_PASSWORD = 'a brand new password';
let sink: SmtpSink;
let t: ShopUnderTest;

beforeAll(async () => {
  sink = await startSmtpSink();
  const limit = { limit: 500, windowMs: 60_000 };
  t = await startShop({
    env: { SMTP_URL: sink.url, MAIL_FROM: 'Test Shop <shop@example.com>', SHOP_NAME: 'Test Shop', PUBLIC_URL },
    app: { rateLimits: { signIn: limit, signUp: limit, checkout: limit, passwordReset: limit } },
  });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

async function askForReset(email: string) {
  const v = await visitor(t.app);
  const res = await v.agent.post('/forgot-password').type('form').send({ _csrf: v.csrf, email }).expect(200);
  return res.text;
}

const mailsTo = (email: string) => sink.received.filter((m) => m.to.includes(email));

/** The answer does not wait for the mail: waits (small real delays) until `count` mails reached `email`. */
async function mailsArrived(email: string, count: number): Promise<void> {
  for (let i = 0; i < 200 && mailsTo(email).length < count; i++) await new Promise((done) => setTimeout(done, 25));
  expect(mailsTo(email).length).toBe(count);
}

async function lastLinkTo(email: string, count = 1): Promise<string> {
  await mailsArrived(email, count);
  const mail = mailsTo(email).at(-1);
  const match = /http:\/\/shop\.example\.com(\/reset-password\/[A-Za-z0-9_-]+)/.exec(mail?.text ?? '');
  if (match === null) throw new Error(`no reset link mailed to ${email}`);
  return match[1] as string;
}

async function passwordHashOf(email: string): Promise<string> {
  return (await t.shop.accounts.getByEmail(email))?.passwordHash ?? '';
}

async function setNewPassword(path: string, password = NEW_PASSWORD) {
  const v = supertest.agent(t.app);
  const form = await v.get(path);
  const csrf = csrfFrom(form.text.includes('name="_csrf"') ? form.text : (await v.get('/signin')).text);
  return v.post(path).type('form').send({ _csrf: csrf, password });
}

describe('forgotten password', () => {
  it('mails a one-time link; using it sets the password and signs out every session', async () => {
    const buyer = await signedUpBuyer(t.app);
    const answer = await askForReset(buyer.email.toUpperCase());
    expect(answer).toContain('If an account has this email');
    const path = await lastLinkTo(buyer.email);
    const stored = await t.shop.db.query<{ token_hash: string }>(`SELECT token_hash FROM ${t.shop.shopSchema}.password_resets`);
    const token = path.split('/').at(-1) as string;
    expect(stored.rows.map((r) => r.token_hash)).toContain(hashToken(token));
    expect(stored.rows.map((r) => r.token_hash)).not.toContain(token);

    const done = await setNewPassword(path);
    expect(done.status).toBe(303);
    expect(done.headers['location']).toBe('/signin?done=credentials.password_reset');
    expect(await verifyPassword(NEW_PASSWORD, await passwordHashOf(buyer.email))).toBe(true);
    // The session the buyer had before is gone.
    await buyer.agent.get('/account/credentials').expect(303);
    const v = await visitor(t.app);
    await v.agent.post('/signin').type('form').send({ _csrf: v.csrf, email: buyer.email, password: NEW_PASSWORD }).expect(303);
  });

  it('answers an unknown email exactly like a known one, and sends nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    const before = sink.received.length;
    const unknown = await askForReset('nobody-here@example.com');
    const known = await askForReset(buyer.email);
    // The same page but for each visitor's own CSRF token.
    const withoutCsrf = (page: string) => page.replace(/name="_csrf" value="[^"]+"/g, '').replace(/content="[A-Za-z0-9_-]{20,}"/g, '');
    expect(withoutCsrf(unknown)).toBe(withoutCsrf(known));
    await mailsArrived(buyer.email, 1);
    expect(sink.received.length).toBe(before + 1);
  });

  it('refuses a used link with a typed 400, and changes nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    await askForReset(buyer.email);
    const path = await lastLinkTo(buyer.email);
    expect((await setNewPassword(path)).status).toBe(303);
    const hash = await passwordHashOf(buyer.email);
    const again = await setNewPassword(path, 'the attacker password');
    expect(again.status).toBe(400);
    expect(again.text).toContain('This link does not work');
    expect(await passwordHashOf(buyer.email)).toBe(hash);
  });

  it('refuses an expired link and a wrong one, and changes nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    await askForReset(buyer.email);
    const path = await lastLinkTo(buyer.email);
    const hash = await passwordHashOf(buyer.email);
    for (const wrong of ['/reset-password/not-a-token', `/reset-password/${'A'.repeat(43)}`]) {
      expect((await supertest(t.app).get(wrong)).status).toBe(400);
      expect((await setNewPassword(wrong)).status).toBe(400);
    }
    t.clock.advance(RESET_TTL_MS + 1000);
    expect((await supertest(t.app).get(path)).status).toBe(400);
    expect((await setNewPassword(path)).status).toBe(400);
    expect(await passwordHashOf(buyer.email)).toBe(hash);
    // The buyer's session survived the failed attempts.
    await buyer.agent.get('/account/credentials').expect(200);
  });

  it('refuses a too-short new password with a field message, keeping the link usable', async () => {
    const buyer = await signedUpBuyer(t.app);
    await askForReset(buyer.email);
    const path = await lastLinkTo(buyer.email);
    const short = await setNewPassword(path, 'short');
    expect(short.status).toBe(400);
    expect(short.text).toContain('class="field-error"');
    expect((await setNewPassword(path)).status).toBe(303);
  });

  it('sends at most three links an hour to one account', async () => {
    const buyer = await signedUpBuyer(t.app);
    for (let i = 0; i < 5; i++) await askForReset(buyer.email);
    const s = t.shop.shopSchema;
    const issued = await t.shop.db.query(
      `SELECT 1 FROM ${s}.password_resets r JOIN ${s}.accounts a ON a.id = r.account_id WHERE a.email = $1`,
      [buyer.email],
    );
    expect(issued.rows).toHaveLength(3);
    await mailsArrived(buyer.email, 3);
    t.clock.advance(3_600_000 + 1000);
    await askForReset(buyer.email);
    await mailsArrived(buyer.email, 4);
  });

  it('never writes the token to the request log', async () => {
    const lines: string[] = [];
    const logSink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = createApp({ ...t.shop, logger: createLogger('info', logSink) });
    const buyer = await signedUpBuyer(t.app);
    await askForReset(buyer.email);
    const path = await lastLinkTo(buyer.email);
    await supertest(logged).get(path).expect(200);
    const text = lines.join('');
    expect(text).toContain('/reset-password/[redacted]');
    expect(text).not.toContain(path.slice('/reset-password/'.length));
  });

  it('limits requests per address with a 429', async () => {
    const limited = await startShop({
      app: {
        rateLimits: {
          ...{ signIn: { limit: 50, windowMs: 60_000 } },
          signUp: { limit: 50, windowMs: 60_000 },
          checkout: { limit: 50, windowMs: 60_000 },
          passwordReset: { limit: 2, windowMs: 60_000 },
        },
      },
    });
    try {
      const v = await visitor(limited.app);
      const post = () => v.agent.post('/forgot-password').type('form').send({ _csrf: v.csrf, email: 'someone@example.com' });
      expect((await post()).status).toBe(200);
      expect((await post()).status).toBe(200);
      expect((await post()).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('a reset link issued by an admin', () => {
  it('is shown once to the admin and works for the buyer; buyers cannot issue one', async () => {
    const buyer = await signedUpBuyer(t.app);
    const customerId = (await t.shop.accounts.getByEmail(buyer.email))?.customerId ?? '';
    const path = `/admin/customers/${customerId}/password-reset`;
    await buyer.agent.post(path).type('form').send({ _csrf: buyer.csrf }).expect(403);

    const admin = await signedInAdmin(t.app);
    const page = await admin.agent.get(`/admin/customers/${customerId}`).expect(200);
    expect(page.text).toContain(`action="${path}"`);
    const issued = await admin.agent.post(path).type('form').send({ _csrf: admin.csrf }).expect(200);
    const link = /data-testid="reset-link">http:\/\/shop\.example\.com(\/reset-password\/[A-Za-z0-9_-]{43})</.exec(issued.text)?.[1];
    expect(link).toBeDefined();
    expect((await setNewPassword(link as string)).status).toBe(303);
    expect(await verifyPassword(NEW_PASSWORD, await passwordHashOf(buyer.email))).toBe(true);
    await admin.agent.post('/admin/customers/cus_unknown/password-reset').type('form').send({ _csrf: admin.csrf }).expect(404);
  });
});

describe('changing the password and the email', () => {
  it('changes the password with the current one, signing out the other sessions only', async () => {
    const buyer = await signedUpBuyer(t.app);
    const other = await visitor(t.app);
    await other.agent
      .post('/signin')
      .type('form')
      .send({ _csrf: other.csrf, email: buyer.email, password: 'correct horse battery' })
      .expect(303);
    const wrong = await buyer.agent
      .post('/account/password')
      .type('form')
      .send({ _csrf: buyer.csrf, current: 'not my password', password: NEW_PASSWORD });
    expect(wrong.status).toBe(403);
    expect(wrong.text).toContain('That is not your current password');
    await other.agent.get('/account/credentials').expect(200);

    const res = await buyer.agent
      .post('/account/password')
      .type('form')
      .send({ _csrf: buyer.csrf, current: 'correct horse battery', password: NEW_PASSWORD });
    expect(res.status).toBe(303);
    expect(await verifyPassword(NEW_PASSWORD, await passwordHashOf(buyer.email))).toBe(true);
    expect((await buyer.agent.get('/account/credentials?done=credentials.password_changed').expect(200)).text).toContain(
      'Your password is changed',
    );
    await other.agent.get('/account/credentials').expect(303);
  });

  it('changes the email (lower-cased) with the password, on the account and its customer', async () => {
    const buyer = await signedUpBuyer(t.app);
    const account = await t.shop.accounts.getByEmail(buyer.email);
    const fresh = `Moved-${Date.now()}@Example.COM`;
    const wrong = await buyer.agent
      .post('/account/email')
      .type('form')
      .send({ _csrf: buyer.csrf, email: fresh, password: 'nope nope nope' });
    expect(wrong.status).toBe(403);
    expect((await t.shop.accounts.get(account?.id ?? ''))?.email).toBe(buyer.email);

    await buyer.agent
      .post('/account/email')
      .type('form')
      .send({ _csrf: buyer.csrf, email: fresh, password: 'correct horse battery' })
      .expect(303);
    expect((await t.shop.accounts.get(account?.id ?? ''))?.email).toBe(fresh.toLowerCase());
    expect((await t.shop.storage.customers.get(account?.customerId ?? ''))?.email).toBe(fresh.toLowerCase());
    const v = await visitor(t.app);
    await v.agent.post('/signin').type('form').send({ _csrf: v.csrf, email: fresh, password: 'correct horse battery' }).expect(303);

    // The old address is told, with the new one masked; so is the new one.
    await t.shop.kit.createWorker({ hostJobs: [...t.shop.hostJobs, ...notificationJobs(t.shop, shopChannels(t.shop).list)] }).drain();
    await mailsArrived(buyer.email, 1);
    const notice = mailsTo(buyer.email)[0]!;
    expect(notice.subject).toContain('email was changed');
    expect(notice.text).toContain(`m***@${fresh.toLowerCase().split('@')[1]}`);
    expect(notice.text).not.toContain(fresh.toLowerCase());
    await mailsArrived(fresh.toLowerCase(), 1);
  });

  it('refuses a taken email (in any case) and a malformed one, changing nothing', async () => {
    const first = await signedUpBuyer(t.app);
    const second = await signedUpBuyer(t.app);
    const taken = await second.agent
      .post('/account/email')
      .type('form')
      .send({ _csrf: second.csrf, email: first.email.toUpperCase(), password: 'correct horse battery' });
    expect(taken.status).toBe(409);
    const bad = await second.agent
      .post('/account/email')
      .type('form')
      .send({ _csrf: second.csrf, email: 'not-an-email', password: 'correct horse battery' });
    expect(bad.status).toBe(400);
    expect(await t.shop.accounts.getByEmail(second.email)).not.toBeNull();
  });

  it('refuses an email a customer without an account (made by the bot) holds, changing nothing', async () => {
    const buyer = await signedUpBuyer(t.app);
    await t.shop.storage.customers.create({ email: 'bot-made@example.com', locale: 'en' });
    const res = await buyer.agent
      .post('/account/email')
      .type('form')
      .send({ _csrf: buyer.csrf, email: 'bot-made@example.com', password: 'correct horse battery' });
    expect(res.status).toBe(409);
    const account = await t.shop.accounts.getByEmail(buyer.email);
    expect((await t.shop.storage.customers.get(account?.customerId ?? ''))?.email).toBe(buyer.email);
  });

  it('asks a visitor to sign in first', async () => {
    const v = await visitor(t.app);
    await v.agent.get('/account/credentials').expect(303);
    await v.agent.post('/account/password').type('form').send({ _csrf: v.csrf, current: 'x', password: NEW_PASSWORD }).expect(401);
  });
});
