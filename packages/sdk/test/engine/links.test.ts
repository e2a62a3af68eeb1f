import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError, createPanelkit, NotFoundError, type Subscription, ValidationError } from '../../src/index.js';
import { createHarness, IDENTITY } from './harness.js';

const SECRET = 'link-test-secret-0123456789';

/** The token as shops derived it before `kit.links` (HMAC-SHA256 over customer and nonce, base64url, 32 characters). */
function shopToken(customerId: string, nonce: string): string {
  return createHmac('sha256', SECRET).update(`subscription-link:${customerId}:${nonce}`).digest('base64url').slice(0, 32);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('kit.links', () => {
  it('derives the token exactly as the shop did: a row written the old way keeps resolving and is handed out again', async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const customerId = await h.customer();
    const nonce = 'AAECAwQFBgcICQoLDA0ODw';
    const token = shopToken(customerId, nonce);
    await h.storage.linkTokens.ensure(customerId, { nonce, tokenHash: sha256(token) });
    expect(await h.kit.links.resolve(token)).toBe(customerId);
    expect(await h.kit.links.tokenFor(customerId)).toBe(token);
  });

  it('makes one token per customer on first use, the same for callers at once, stored only as nonce and hash', async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const [a, b] = [await h.customer(), await h.customer()];
    const tokens = await Promise.all(Array.from({ length: 6 }, () => h.kit.links.tokenFor(a)));
    expect(new Set(tokens).size).toBe(1);
    const token = tokens[0]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await h.kit.links.tokenFor(a)).toBe(token);
    expect(await h.kit.links.tokenFor(b)).not.toBe(token);
    expect(await h.kit.links.resolve(token)).toBe(a);
    expect(await h.storage.linkTokens.customerByHash(sha256(token))).toBe(a);
    expect(await h.kit.links.customersWithLinks('', 10)).toEqual([a, b].sort());
  });

  it('tokensFor gives several customers their tokens in one call, the same ones tokenFor gives', async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const [a, b, c] = [await h.customer(), await h.customer(), await h.customer()];
    const before = await h.kit.links.tokenFor(a);
    const ensureMany = vi.spyOn(h.storage.linkTokens, 'ensureMany');
    const tokens = await h.kit.links.tokensFor([b, a, c, b]);
    expect(ensureMany).toHaveBeenCalledTimes(1);
    expect([...tokens.keys()]).toEqual([b, a, c]);
    expect(tokens.get(a)).toBe(before);
    for (const id of [b, c]) expect(await h.kit.links.tokenFor(id)).toBe(tokens.get(id));
    expect(await h.kit.links.resolve(tokens.get(c)!)).toBe(c);
    await expect(h.kit.links.tokensFor([a, 'cus_missing'])).rejects.toSatisfy((e) => NotFoundError.is(e));
    expect(await h.kit.links.tokensFor([])).toEqual(new Map());
  });

  it("toMake gives the candidates a host's statement stores and the tokens of the nonces it answers: tokenFor's, made or stored", async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const [a, b, c] = [await h.customer(), await h.customer(), await h.customer()];
    const before = await h.kit.links.tokenFor(a);
    const ensureMany = vi.spyOn(h.storage.linkTokens, 'ensureMany');
    const toMake = h.kit.links.toMake([b, a, b, c]);
    expect(ensureMany).not.toHaveBeenCalled();
    expect(toMake.requests.map((r) => r.customerId)).toEqual([b, a, c]);
    ensureMany.mockRestore();
    // What the host's statement does with the candidates (storage-postgres `ensureLinkTokensSql`), here the storage's call.
    const nonces = await h.storage.linkTokens.ensureMany(toMake.requests);
    const answered = new Map(toMake.requests.map((r, i) => [r.customerId, nonces[i]!]));
    answered.delete(c); // a customer the statement answered no nonce for is left out
    const tokens = toMake.tokensOf(answered);
    expect([...tokens.keys()]).toEqual([b, a]);
    expect(tokens.get(a)).toBe(before);
    expect(await h.kit.links.tokenFor(b)).toBe(tokens.get(b));
    expect(await h.kit.links.resolve(tokens.get(b)!)).toBe(b);
    expect(h.kit.links.toMake([]).requests).toEqual([]);
    const unset = await createHarness();
    expect(() => unset.kit.links.toMake([a])).toThrow(ConfigurationError);
  });

  it('rotates: the old token dead at once, the new one returned, audited with the actor in the same step', async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const customerId = await h.customer();
    const old = await h.kit.links.tokenFor(customerId);
    const actor = { type: 'customer', id: customerId } as const;
    const fresh = await h.kit.links.rotate(customerId, actor);
    expect(fresh).not.toBe(old);
    expect(await h.kit.links.resolve(old)).toBeNull();
    expect(await h.kit.links.resolve(fresh)).toBe(customerId);
    expect(await h.kit.links.tokenFor(customerId)).toBe(fresh);
    const audit = (await h.storage.audit.list({ subjectId: customerId }, { limit: 10 })).items;
    expect(audit.map((e) => [e.action, e.subjectType, e.actor])).toEqual([['subscription_link.rotated', 'customer', actor]]);
  });

  it('refuses to rotate for an unknown customer or a bad actor, changing nothing', async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const customerId = await h.customer();
    const token = await h.kit.links.tokenFor(customerId);
    await expect(h.kit.links.rotate('cus_missing', { type: 'admin', id: 'a1' })).rejects.toSatisfy((e) => NotFoundError.is(e));
    await expect(h.kit.links.rotate(customerId, { type: 'nobody' } as never)).rejects.toThrow(/actor/);
    expect(await h.kit.links.resolve(token)).toBe(customerId);
    expect((await h.storage.audit.list({}, { limit: 10 })).items.filter((e) => e.action === 'subscription_link.rotated')).toEqual([]);
  });

  it("rotates the customer's link from the version the buyer confirmed once, however often and however concurrently it is asked", async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const customerId = await h.customer();
    const actor = { type: 'customer', id: customerId } as const;
    const before = await h.kit.links.tokenFor(customerId);
    const from = await h.kit.links.linkVersion(customerId);
    expect(from).toBe(sha256(before).slice(0, 12));
    const rotations = async () =>
      (await h.storage.audit.list({ subjectId: customerId }, { limit: 20 })).items.filter((e) => e.action === 'subscription_link.rotated')
        .length;

    const answers = await Promise.all(Array.from({ length: 4 }, () => h.kit.links.rotate(customerId, actor, { from })));
    const now = await h.kit.links.tokenFor(customerId);
    expect(now).not.toBe(before);
    expect(answers).toEqual([now, now, now, now]);
    expect(await rotations()).toBe(1);
    expect(await h.kit.links.linkVersion(customerId)).not.toBe(from);
    // Asked again later from the old version: the current link, nothing rotated.
    expect(await h.kit.links.rotate(customerId, actor, { from })).toBe(now);
    expect(await rotations()).toBe(1);

    for (const bad of ['', 'ABCDEF012345', 'nope']) {
      await expect(h.kit.links.rotate(customerId, actor, { from: bad })).rejects.toSatisfy((e) => ValidationError.is(e));
    }
    await expect(h.kit.links.rotate('cus_missing', actor, { from })).rejects.toSatisfy((e) => NotFoundError.is(e));
    await expect(h.kit.links.linkVersion('cus_missing')).rejects.toSatisfy((e) => NotFoundError.is(e));
    expect(await h.kit.links.tokenFor(customerId)).toBe(now);
    expect(await rotations()).toBe(1);
  });

  it('resolves an unknown token to null, and a malformed one without asking the storage', async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const lookups = vi.spyOn(h.storage.linkTokens, 'customerByHash');
    for (const token of ['', 'short', `${'a'.repeat(32)}/`, 'a'.repeat(33), 'a b'.padEnd(32, 'c'), 42 as unknown as string]) {
      expect(await h.kit.links.resolve(token)).toBeNull();
    }
    expect(lookups).not.toHaveBeenCalled();
    expect(await h.kit.links.resolve('a'.repeat(32))).toBeNull();
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('without links.secret every call says what to pass; a short secret is refused at creation', async () => {
    const h = await createHarness();
    const customerId = await h.customer();
    for (const call of [() => h.kit.links.tokenFor(customerId), () => h.kit.links.resolve('a'.repeat(32))]) {
      const error = await call().catch((e: unknown) => e);
      expect(ConfigurationError.is(error)).toBe(true);
      expect((error as Error).message).toContain('links: { secret }');
    }
    expect(await h.storage.linkTokens.customersAfter('', 10)).toEqual([]);
    expect(() =>
      createPanelkit({ storage: h.storage, panels: () => h.panels[0]!.fake, policy: { identity: IDENTITY }, links: { secret: 'short' } }),
    ).toThrow(ConfigurationError);
  });
});

describe('kit.customers reads', () => {
  it('finds a customer by Telegram id, the oldest when several carry it', async () => {
    const h = await createHarness();
    expect(await h.kit.customers.byTelegramId('5001')).toBeNull();
    const first = await h.kit.customers.create({ telegramId: '5001', externalRef: 'telegram:5001' });
    h.clock.advance(1000);
    await h.kit.customers.create({ telegramId: '5001' });
    expect(await h.kit.customers.byTelegramId('5001')).toEqual(first);
    await expect(h.kit.customers.byTelegramId('x'.repeat(65))).rejects.toThrow(/telegram id/);
  });

  it("lists a customer's subscriptions newest first, filtered by status, and the balances by currency", async () => {
    const h = await createHarness();
    const customerId = await h.customer(5000);
    const other = await h.customer(5000);
    const bought = [];
    for (const key of ['one', 'two', 'three']) {
      h.clock.advance(1000);
      bought.push((await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: key })).subscriptions[0]!);
    }
    await h.kit.checkout({ customerId: other, items: [{ planId: h.plan.id }], idempotencyKey: 'other' });
    await h.kit.terminate({ subscriptionId: bought[1]!.id });
    expect((await h.kit.customers.subscriptions(customerId)).map((s) => s.id)).toEqual(bought.map((s) => s.id).reverse());
    expect((await h.kit.customers.subscriptions(customerId, { statuses: ['terminated'] })).map((s) => s.id)).toEqual([bought[1]!.id]);
    expect((await h.kit.customers.subscriptions(customerId, { statuses: ['pending'] })).map((s) => s.id)).toEqual([
      bought[2]!.id,
      bought[0]!.id,
    ]);
    expect(await h.kit.customers.subscriptions('cus_missing')).toEqual([]);
    await expect(h.kit.customers.subscriptions(customerId, { statuses: ['gone' as never] })).rejects.toThrow(/subscription filter/);
    expect(await h.kit.customers.balances(customerId)).toEqual([{ amount: 5000 - 3 * 1000, currency: 'USD' }]);
    expect(await h.kit.customers.balances('cus_missing')).toEqual([]);
  });
  it("scope reads the token and the customer's subscriptions in one storage call, in the statuses asked; a bad filter is refused", async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const customerId = await h.customer(5000);
    const bought = [];
    for (const key of ['one', 'two', 'three']) {
      h.clock.advance(1000);
      bought.push((await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: key })).subscriptions[0]!);
    }
    await h.kit.terminate({ subscriptionId: bought[1]!.id });
    const token = await h.kit.links.tokenFor(customerId);
    const listed = vi.spyOn(h.storage.subscriptions, 'listByCustomer');
    const scoped = vi.spyOn(h.storage.linkTokens, 'scopeWithSubscriptions');
    const ids = async (options?: { statuses?: readonly string[] }) =>
      (await h.kit.links.scope(token, options as never))?.subscriptions.map((s) => s.id);
    expect(await ids()).toEqual(bought.map((s) => s.id).reverse());
    expect(await ids({ statuses: ['pending'] })).toEqual([bought[2]!.id, bought[0]!.id]);
    expect(await ids({ statuses: ['terminated'] })).toEqual([bought[1]!.id]);
    expect(await ids({ statuses: [] })).toEqual([]);
    expect(scoped).toHaveBeenCalledTimes(4);
    expect(listed).not.toHaveBeenCalled();
    await expect(ids({ statuses: ['gone'] })).rejects.toThrow(/subscription filter/);
    await expect(ids({ statuses: ['pending'], other: 1 } as never)).rejects.toThrow(/subscription filter/);
    await expect(h.kit.links.scope(token, null as never)).rejects.toThrow(/subscription filter/);
    // The subscription's own link: that one alone, from the same read.
    const own = await h.kit.links.tokenForSubscription(customerId, bought[0]!.id);
    expect((await h.kit.links.scope(own, { statuses: ['pending'] }))?.subscriptions.map((s) => s.id)).toEqual([bought[0]!.id]);
    expect((await h.kit.links.scope(own, { statuses: ['active'] }))?.subscriptions).toEqual([]);
    expect(listed).not.toHaveBeenCalled();
  });
  it("scope with a device refreshes the app's known device in the same storage call; an unknown or removed one is touch's", async () => {
    const h = await createHarness({ links: { secret: SECRET } });
    const customerId = await h.customer(5000);
    const bought = [];
    for (const key of ['one', 'two']) {
      h.clock.advance(1000);
      bought.push((await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: key })).subscriptions[0]!);
    }
    const [a, b] = bought as [Subscription, Subscription];
    const phone = { hwid: 'hw-phone', platform: 'ios', app: 'Happ' };
    const registered = await h.kit.devices.touch(a.id, phone);
    if (!registered.served || registered.device === null) throw new Error('unreachable');
    const token = await h.kit.links.tokenFor(customerId);
    const scoped = vi.spyOn(h.storage.linkTokens, 'scopeRefreshingDevice');
    const refreshed = vi.spyOn(h.storage.devices, 'refresh');
    const asked = { statuses: ['pending'] as const, device: { request: phone, statuses: ['pending'] as const } };
    const scope = await h.kit.links.scope(token, asked);
    expect(scope?.subscriptions.map((s) => s.id)).toEqual([b.id, a.id]);
    // Known on `a`: checked there; `b` does not know it (touch registers it, as before).
    expect([...scope!.checked]).toEqual([[a.id, { served: true, outcome: 'refreshed', device: registered.device }]]);
    expect(scoped).toHaveBeenCalledTimes(1);
    expect(refreshed).not.toHaveBeenCalled();
    // Removed: counted anew at the very next request (not in `checked`).
    await h.kit.devices.remove(a.id, registered.device.id, { type: 'admin', id: 'adm_1' });
    expect((await h.kit.links.scope(token, asked))!.checked.size).toBe(0);
    // Without a hardware id, or on statuses the link does not serve: no device in the read.
    expect(
      (await h.kit.links.scope(token, { ...asked, device: { request: { ...phone, hwid: null }, statuses: ['pending'] } }))!.checked.size,
    ).toBe(0);
    expect(scoped).toHaveBeenCalledTimes(2);
    await h.kit.links.scope(token, { statuses: ['pending'], device: { request: phone, statuses: ['active'] } });
    expect(scoped).toHaveBeenCalledTimes(2);
    await expect(h.kit.links.scope(token, { device: { request: { hwid: '' }, statuses: ['pending'] } } as never)).rejects.toThrow(/device/);
    await expect(h.kit.links.scope(token, { device: { request: phone, statuses: ['gone'] } } as never)).rejects.toThrow(/device/);
    await expect(h.kit.links.scope(token, { statuses: ['pending'], other: 1 } as never)).rejects.toThrow(/subscription filter/);
  });
});
