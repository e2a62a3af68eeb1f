/**
 * Issue 91: a right e-mail code that the new-accounts-per-network limit slows (429) is not used up. Entered again once
 * the wait is over, the same code signs the address up; then it is spent, and refused (401) like any used code.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfFrom, ROOMY_RATE_LIMITS, startShop, type Agent, type ShopUnderTest } from './support/shop-under-test.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const CODE = /\b([0-9]{6})\b/;
const SLOWED = 'Too many new accounts were made from your network just now';
/** Addresses of one network (an IPv4 /24), which the new-accounts limit counts as one. */
const ADDRESS = (i: number) => `198.18.9.${i}`;

let t: ShopUnderTest;
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startShop({
    env: { TRUST_PROXY: 'on', SMTP_URL: sink.url, MAIL_FROM: 'Shop <shop@example.com>' },
    app: { rateLimits: { ...ROOMY_RATE_LIMITS, newAccountsPerNetwork: { limit: 2, windowMs: 10 * 60_000, thenOneEveryMs: 60_000 } } },
  });
});
afterAll(async () => {
  await t?.close();
  await sink?.close();
});

/** The code page's CSRF token for `agent`. */
async function csrfOf(agent: Agent, ip: string): Promise<string> {
  return csrfFrom((await agent.get('/signin/code').set('X-Forwarded-For', ip).expect(200)).text);
}

/** Asks a code for `email` from `ip`: the code mailed. */
async function askCode(agent: Agent, ip: string, email: string): Promise<string> {
  const _csrf = await csrfOf(agent, ip);
  await agent.post('/signin/code').set('X-Forwarded-For', ip).type('form').send({ _csrf, email }).expect(200);
  await t.drain();
  const code = CODE.exec(sink.received.filter((m) => m.to.includes(email)).at(-1)?.subject ?? '')?.[1] ?? '';
  expect(code).not.toBe('');
  return code;
}

/** Enters `code` for `email` from `ip`: the verify answer. */
async function enterCode(agent: Agent, ip: string, email: string, code: string) {
  const _csrf = await csrfOf(agent, ip);
  return agent.post('/signin/code/verify').set('X-Forwarded-For', ip).type('form').send({ _csrf, email, code });
}

describe('a right e-mail code slowed by the new-accounts limit', () => {
  it('is not spent: entered again after the wait it signs up, once', async () => {
    for (const i of [1, 2]) {
      const earlier = supertest.agent(t.app);
      const earlierEmail = `slowed-earlier-${i}@example.com`;
      expect((await enterCode(earlier, ADDRESS(i), earlierEmail, await askCode(earlier, ADDRESS(i), earlierEmail))).status).toBe(303);
    }

    const email = 'slowed-second@example.com';
    const agent = supertest.agent(t.app);
    const code = await askCode(agent, ADDRESS(3), email);
    const slowed = await enterCode(agent, ADDRESS(3), email, code);
    expect(slowed.status).toBe(429);
    expect(slowed.text).toContain(SLOWED);
    expect(await t.shop.accounts.getByEmail(email)).toBeNull();

    const wait = Number(slowed.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    t.clock.advance(wait * 1000);
    // The same code, no new one asked: the answer that slowed it did not use it up.
    expect((await enterCode(agent, ADDRESS(3), email, code)).status).toBe(303);
    expect((await t.shop.accounts.getByEmail(email))?.role).toBe('buyer');
    // Spent by the sign-up: entered again, it is refused.
    expect((await enterCode(supertest.agent(t.app), ADDRESS(4), email, code)).status).toBe(401);
  });
});
