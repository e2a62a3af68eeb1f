/**
 * Sign-in without Telegram, by a one-time code sent by e-mail (issue 57), through a real SMTP server: the same answer
 * whether or not the address has an account (and for a staff address, which gets no code), sign-up by the first right
 * code, codes that expire, work once, are kept only as an HMAC and are throttled like passwords; and a Telegram-only
 * buyer who adds an e-mail by a code and then comes in either way (issue 55: no "Link my Telegram" for them).
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramAccountEmail } from '../src/app/auth/telegram-buyers.js';
import { EMAIL_CODE_GUESSES_PER_ADDRESS } from '../src/db/sign-in-throttle.js';
import { launchData } from './support/mini-app-launch.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { createCampaign } from '../src/app/growth/campaigns.js';
import { ADMIN, ROOMY_RATE_LIMITS, csrfFrom, signedUpBuyer, visitor, type Visitor } from './support/shop-under-test.js';
import { startBotShop, type BotShop } from './support/telegram-driver.js';

const CODE = /\b([0-9]{6})\b/;

describe('sign-in by a code sent by e-mail', () => {
  let s: BotShop;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    s = await startBotShop({
      env: { SMTP_URL: sink.url, MAIL_FROM: 'Shop <shop@example.com>' },
      app: { rateLimits: ROOMY_RATE_LIMITS },
    });
  });
  afterAll(async () => {
    await s?.close();
    await sink?.close();
  });

  /** Runs the worker, then the newest mail to `email` (its code), or `null` when none came. */
  async function codeMailedTo(email: string): Promise<string | null> {
    await s.t.drain();
    const mail = sink.received.filter((m) => m.to.includes(email)).at(-1);
    return mail === undefined ? null : (CODE.exec(mail.subject)?.[1] ?? null);
  }

  const mailsTo = (email: string) => sink.received.filter((m) => m.to.includes(email)).length;

  async function askCode(v: Visitor, email: string) {
    const page = await v.agent.post('/signin/code').type('form').send({ _csrf: v.csrf, email }).expect(200);
    return page.text;
  }

  const verify = (v: Visitor, email: string, code: string) =>
    v.agent.post('/signin/code/verify').type('form').send({ _csrf: v.csrf, email, code });

  it('answers alike for an address with an account, one without, and a staff one; signs up by the first right code', async () => {
    const buyer = await signedUpBuyer(s.t.app);
    const known = await visitor(s.t.app);
    const unknown = await visitor(s.t.app);
    const staff = await visitor(s.t.app);
    const strip = (text: string, email: string) => text.replaceAll(email, '<email>').replace(/name="_csrf" value="[^"]+"/g, '');
    const knownPage = await askCode(known, buyer.email);
    const unknownPage = await askCode(unknown, 'stranger@example.com');
    const staffPage = await askCode(staff, ADMIN.email);
    expect(strip(unknownPage, 'stranger@example.com')).toBe(strip(knownPage, buyer.email));
    expect(strip(staffPage, ADMIN.email)).toBe(strip(knownPage, buyer.email));

    // Both buyers' addresses get a code; the staff address gets none (staff keep password and second factor).
    const knownCode = await codeMailedTo(buyer.email);
    const strangerCode = await codeMailedTo('stranger@example.com');
    expect(knownCode).toMatch(/^[0-9]{6}$/);
    expect(strangerCode).toMatch(/^[0-9]{6}$/);
    expect(mailsTo(ADMIN.email)).toBe(0);

    const signedIn = await verify(known, buyer.email, knownCode as string).expect(303);
    expect(signedIn.headers['location']).toBe('/dashboard');
    const account = await s.t.shop.accounts.getByEmail(buyer.email);
    expect((await known.agent.get('/dashboard').expect(200)).text).toContain(buyer.email);

    // The stranger's address had no account: its first right code makes one, a buyer's without a password.
    const signedUp = await verify(unknown, 'stranger@example.com', strangerCode as string).expect(303);
    expect(signedUp.headers['location']).toBe('/?done=auth.signed_up');
    const made = await s.t.shop.accounts.getByEmail('stranger@example.com');
    expect(made?.role).toBe('buyer');
    expect(made?.customerId).not.toBe(account?.customerId);
  });

  it('a buyer who came by a campaign link and signs up by a code joins that campaign (the link is kept in the browser)', async () => {
    await createCampaign(s.t.shop, { slug: 'mail-ads', name: 'Mail ads', bonusAmount: 0, welcomeCode: null }, { type: 'admin', id: null });
    const v = await visitor(s.t.app);
    await v.agent.get('/signup?c=mail-ads').expect(200);
    // A second campaign's link later does not replace the first.
    await v.agent.get('/signup?c=other-ads').expect(200);
    await askCode(v, 'came-by-ad@example.com');
    await verify(v, 'came-by-ad@example.com', (await codeMailedTo('came-by-ad@example.com')) as string).expect(303);
    const made = await s.t.shop.accounts.getByEmail('came-by-ad@example.com');
    expect(await s.t.shop.storage.campaigns.get(made!.customerId)).toMatchObject({ campaign: 'mail-ads' });
  });

  it('keeps only an HMAC of the code, and blanks the sealed copy once the mail is sent', async () => {
    const v = await visitor(s.t.app);
    await askCode(v, 'hashed@example.com');
    const { rows: before } = await s.t.shop.db.query<{ code_hash: string; sealed_code: string | null }>(
      `SELECT code_hash, sealed_code FROM ${s.t.shop.shopSchema}.email_codes WHERE email = 'hashed@example.com'`,
    );
    expect(before[0]?.sealed_code).toMatch(/^pk1\./);
    const code = (await codeMailedTo('hashed@example.com')) as string;
    const { rows } = await s.t.shop.db.query<{ code_hash: string; sealed_code: string | null }>(
      `SELECT code_hash, sealed_code FROM ${s.t.shop.shopSchema}.email_codes WHERE email = 'hashed@example.com'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.sealed_code).toBeNull();
    expect(rows[0]?.code_hash).not.toContain(code);
    expect(rows[0]?.code_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('works once, and not after ten minutes', async () => {
    const email = 'once@example.com';
    const first = await visitor(s.t.app);
    await askCode(first, email);
    const code = (await codeMailedTo(email)) as string;
    await verify(first, email, code).expect(303);
    const second = await visitor(s.t.app);
    const again = await verify(second, email, code).expect(401);
    expect(again.text).toContain('This code does not work');

    await askCode(second, email);
    const late = (await codeMailedTo(email)) as string;
    s.t.clock.advance(10 * 60_000 + 1_000);
    await verify(second, email, late).expect(401);
  });

  it('throttles guesses at one address like passwords, whatever address they come from, and a code dies after five wrong ones', async () => {
    const email = 'guessed@example.com';
    const holder = await visitor(s.t.app);
    await askCode(holder, email);
    const code = (await codeMailedTo(email)) as string;
    const wrong = code === '000000' ? '111111' : '000000';
    // Five wrong guesses kill the code itself, even though the address's window has room left.
    for (let i = 0; i < 5; i++) await verify(await visitor(s.t.app), email, wrong).expect(401);
    await verify(holder, email, code).expect(401);

    // The address's window: past ten guesses, the next waits (429 with Retry-After), the right code too.
    await askCode(holder, email);
    const fresh = (await codeMailedTo(email)) as string;
    const otherWrong = fresh === '000000' ? '111111' : '000000';
    for (let i = 6; i < EMAIL_CODE_GUESSES_PER_ADDRESS.limit; i++) await verify(await visitor(s.t.app), email, otherWrong).expect(401);
    const throttled = await verify(holder, email, fresh).expect(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    // After the delay one guess goes through: the holder's right code still works.
    s.t.clock.advance(31_000);
    await verify(holder, email, fresh).expect(303);
  });

  it('a web buyer who never linked Telegram is still offered to link it', async () => {
    const buyer = await signedUpBuyer(s.t.app);
    const page = await buyer.agent.get('/dashboard').expect(200);
    expect(page.text).toContain('data-testid="telegram-link"');
    expect(page.text).not.toContain('href="/account/email"');
  });
});

describe('a Telegram-only buyer on an https shop with a Mini App', () => {
  let s: BotShop;
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
    s = await startBotShop({
      env: { PUBLIC_URL: 'https://shop.example.com', SMTP_URL: sink.url, MAIL_FROM: 'Shop <shop@example.com>' },
      app: { rateLimits: ROOMY_RATE_LIMITS },
    });
  });
  afterAll(async () => {
    await s?.close();
    await sink?.close();
  });

  async function codeMailedTo(email: string): Promise<string> {
    await s.t.drain();
    const mail = sink.received.filter((m) => m.to.includes(email)).at(-1);
    return CODE.exec(mail?.subject ?? '')?.[1] ?? '';
  }

  /** The `name=value` pairs of the cookies a response set (the https shop's are Secure: a test sends them back itself). */
  const cookiesOf = (res: { headers: Record<string, unknown> }) =>
    ((res.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => c.split(';')[0] as string);
  const sessionOf = (res: { headers: Record<string, unknown> }) => {
    const pair = cookiesOf(res).find((c) => c.startsWith('__Host-pk_session='));
    return pair === undefined ? null : decodeURIComponent(pair.slice('__Host-pk_session='.length));
  };
  const miniAppSignIn = (id: number, at: Date) =>
    supertest(s.t.app)
      .post('/tg/app/session')
      .set({ origin: 'https://shop.example.com' })
      .send({ initData: launchData(s.fake.token, { id }, at) })
      .expect(200);

  it('a Mini App buyer is not offered to link the Telegram they came with; they add an e-mail by code and then come in either way', async () => {
    const { clock } = s.t;
    const res = await miniAppSignIn(9101, clock.now());
    const pair = cookiesOf(res).find((c) => c.startsWith('__Host-pk_session=')) as string;
    const get = (path: string) => supertest(s.t.app).get(path).set('cookie', pair);
    const post = (path: string, body: Record<string, string>) => supertest(s.t.app).post(path).set('cookie', pair).type('form').send(body);
    const dashboard = await get('/dashboard').expect(200);
    expect(dashboard.text).not.toContain('data-testid="telegram-link"');
    expect(dashboard.text).toContain('data-testid="telegram-linked"');
    expect(dashboard.text).toContain('href="/account/email"');

    const form = await get('/account/email').expect(200);
    const csrf = csrfFrom(form.text);
    await post('/account/email', { _csrf: csrf, email: 'Miniapp.Buyer@Example.com' }).expect(200);
    const code = await codeMailedTo('miniapp.buyer@example.com');
    const wrong = code === '000000' ? '111111' : '000000';
    await post('/account/email/confirm', { _csrf: csrf, email: 'miniapp.buyer@example.com', code: wrong }).expect(401);
    const added = await post('/account/email/confirm', { _csrf: csrf, email: 'miniapp.buyer@example.com', code }).expect(303);
    expect(added.headers['location']).toBe('/dashboard?done=signin.email_added');
    const account = await s.t.shop.accounts.getByEmail('miniapp.buyer@example.com');
    expect(account).not.toBeNull();
    expect(await s.t.shop.accounts.getByEmail(telegramAccountEmail('9101'))).toBeNull();
    expect((await s.t.shop.storage.customers.get(account!.customerId))?.email).toBe('miniapp.buyer@example.com');
    // The offer is gone once the account has an address.
    await get('/account/email').expect(404);

    // Now by e-mail, without Telegram: the same account.
    const page = await supertest(s.t.app).get('/signin/code').expect(200);
    const anonymous = cookiesOf(page).join('; ');
    const anonymousCsrf = csrfFrom(page.text);
    await supertest(s.t.app)
      .post('/signin/code')
      .set('cookie', anonymous)
      .type('form')
      .send({ _csrf: anonymousCsrf, email: 'miniapp.buyer@example.com' })
      .expect(200);
    const byMail = await supertest(s.t.app)
      .post('/signin/code/verify')
      .set('cookie', anonymous)
      .type('form')
      .send({ _csrf: anonymousCsrf, email: 'miniapp.buyer@example.com', code: await codeMailedTo('miniapp.buyer@example.com') })
      .expect(303);
    expect(await s.t.shop.sessions.accountFor(sessionOf(byMail) as string)).toBe(account!.id);
    // And by Telegram as before: the same account.
    const again = await miniAppSignIn(9101, new Date(clock.now().getTime() + 1_000));
    expect(await s.t.shop.sessions.accountFor(sessionOf(again) as string)).toBe(account!.id);
  });
});
