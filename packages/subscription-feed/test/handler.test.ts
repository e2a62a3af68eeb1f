/**
 * `createFeedHandler` end to end on the memory storage: the token resolved by `kit.links`, the subscriptions read by
 * `kit.customers.subscriptions`, each client app's device counted by `kit.devices.touch`, then the answer; a rotated
 * token answers 404.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { DeviceVerdict } from '../src/devices.js';
import { createFeedHandler, type FeedHandlerOptions } from '../src/handler.js';
import { memoryKit } from './support/memory-kit.js';

const URL_OF = (token: string) => `https://shop.example/s/${token}`;

/** A Happ on a phone with this hardware id, as Happ sends its headers. */
const happ = (hwid: string) => ({
  'user-agent': 'Happ/4.6.0/ios/2603181556604',
  'x-hwid': hwid,
  'x-device-os': 'iOS',
  'x-device-model': 'iPhone 16',
});

/** The entries' names in a base64 answer. */
const names = (body: string) =>
  Buffer.from(body, 'base64')
    .toString('utf8')
    .split('\n')
    .map((l) => decodeURIComponent(l.slice(l.indexOf('#') + 1)));

async function setUp(deviceLimit: number | null, extra: Partial<FeedHandlerOptions> = {}) {
  const m = await memoryKit();
  const { customerId, subscription } = await m.buyer({ deviceLimit });
  const token = await m.kit.links.tokenFor(customerId);
  const verdicts: DeviceVerdict[] = [];
  const asked: string[] = [];
  const answer = createFeedHandler({
    kit: m.kit,
    title: 'Demo VPN',
    linkUrl: URL_OF,
    locale: async (id) => {
      asked.push(id);
      return 'ru';
    },
    onDeviceVerdict: async (_usable, verdict) => void verdicts.push(verdict),
    now: () => m.clock.now(),
    ...extra,
  });
  return { ...m, customerId, subscription, token, answer, verdicts, asked };
}

describe('the feed handler on the memory storage', () => {
  it('resolves the token, counts each device against the limit, refuses the one over it with placeholders, and serves it once a slot frees', async () => {
    const s = await setUp(1);
    const first = await s.answer({ token: s.token, method: 'GET', headers: happ('phone-a') });
    expect(first.status).toBe(200);
    expect(names(first.body)).toEqual([s.subscription.remote.username]);
    expect(first.headers['subscription-userinfo']).toMatch(/^upload=0; download=\d+; total=\d+; expire=\d+$/);
    // Nothing said in words: the buyer's language is not even read.
    expect(s.asked).toEqual([]);
    const devices = await s.kit.devices.list(s.subscription.id);
    expect(devices.map((d) => d.hwid)).toEqual(['phone-a']);

    const second = await s.answer({ token: s.token, method: 'GET', headers: happ('phone-b') });
    expect(names(second.body)).toEqual(['⛔ Подпиской пользуется слишком много устройств', `Управление устройствами: ${URL_OF(s.token)}`]);
    expect(s.asked).toEqual([s.customerId]);
    expect(s.verdicts.map((v) => [v.device.hwid, v.refused])).toEqual([
      ['phone-a', null],
      ['phone-b', 'limit_reached'],
    ]);
    expect((await s.kit.devices.list(s.subscription.id)).map((d) => d.hwid)).toEqual(['phone-a']);

    // The known device is still served; once it is removed, the other one takes the slot.
    expect(names((await s.answer({ token: s.token, method: 'GET', headers: happ('phone-a') })).body)).toEqual([
      s.subscription.remote.username,
    ]);
    await s.kit.devices.remove(s.subscription.id, devices[0]?.id ?? '', { type: 'customer', id: s.customerId });
    expect(names((await s.answer({ token: s.token, method: 'GET', headers: happ('phone-b') })).body)).toEqual([
      s.subscription.remote.username,
    ]);
  });

  it('answers a rotated or unknown token with a plain 404, and the new token with the feed', async () => {
    const s = await setUp(null);
    const fresh = await s.kit.links.rotate(s.customerId, { type: 'customer', id: s.customerId });
    const old = await s.answer({ token: s.token, method: 'GET', headers: happ('phone-a') });
    expect(old).toEqual({ status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found' });
    expect((await s.answer({ token: 'not-a-token', method: 'GET', headers: happ('phone-a') })).status).toBe(404);
    expect(await s.kit.devices.list(s.subscription.id)).toEqual([]);
    const now = await s.answer({ token: fresh, method: 'GET', headers: happ('phone-a') });
    expect([now.status, names(now.body)]).toEqual([200, [s.subscription.remote.username]]);
  });

  it('serves placeholders for a suspended subscription without counting the device', async () => {
    const s = await setUp(1);
    await s.kit.suspend({ subscriptionId: s.subscription.id, actor: { type: 'admin', id: 'adm_1' } });
    const answer = await s.answer({ token: s.token, method: 'GET', headers: { 'user-agent': 'v2rayNG/1.10.2' } });
    expect(names(answer.body)).toEqual(['⛔ Подписка приостановлена', `Продлить: ${URL_OF(s.token)}`]);
    expect(s.verdicts).toEqual([]);
  });

  it('gives a browser the host’s page without registering it, and the plans’ routing only to an app that reads it', async () => {
    let plansRead = 0;
    const s = await setUp(1, {
      page: async (view) => ({
        type: 'text/html; charset=utf-8',
        body: `<p>${view.url} ${view.locale} ${view.routing?.countries.join()}</p>`,
      }),
      plans: async () => {
        plansRead += 1;
        return { presets: new Map([[s.subscription.planId, 'ru' as const]]) };
      },
    });
    const chrome = { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15', accept: 'text/html' };
    const page = await s.answer({ token: s.token, method: 'GET', headers: chrome });
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toBe(`<p>${URL_OF(s.token)} ru ru</p>`);
    expect(await s.kit.devices.list(s.subscription.id)).toEqual([]);

    await s.answer({ token: s.token, method: 'GET', headers: { 'user-agent': 'v2rayNG/1.10.2', 'x-hwid': 'tablet' } });
    expect(plansRead).toBe(1);
    const clash = await s.answer({ token: s.token, method: 'GET', headers: { 'user-agent': 'clash-verge/v2.4.3', 'x-hwid': 'tablet' } });
    expect(plansRead).toBe(2);
    expect((parse(clash.body) as { rules: string[] }).rules).toContain('GEOSITE,category-ru,DIRECT');
  });

  it('lets a gate block the links after the device rule', async () => {
    const s = await setUp(null, { gates: [async ({ header }) => (header('x-hwid') === undefined ? 'hwid_required' : null)] });
    const without = await s.answer({ token: s.token, method: 'GET', headers: { 'user-agent': 'Streisand/1.6.3' } });
    expect(names(without.body)[0]).toBe('⛔ Приложение должно передавать идентификатор устройства');
    const withId = await s.answer({ token: s.token, method: 'GET', headers: { 'user-agent': 'Streisand/1.6.3', 'x-hwid': 'ipad' } });
    expect(names(withId.body)).toEqual([s.subscription.remote.username]);
  });
  it("refreshes a known device in the link's read and touches only what the read did not decide", async () => {
    const s = await setUp(2);
    await s.answer({ token: s.token, method: 'GET', headers: happ('phone-a') });
    const touched: string[] = [];
    const touch = s.kit.devices.touch.bind(s.kit.devices);
    const kit = {
      ...s.kit,
      devices: { ...s.kit.devices, touch: (...args: Parameters<typeof touch>) => (touched.push(args[1].hwid ?? ''), touch(...args)) },
    };
    const answer = createFeedHandler({ kit, title: 'Demo VPN', linkUrl: URL_OF, now: () => s.clock.now() });
    // Known: decided by `kit.links.scope`'s read, no touch.
    expect(names((await answer({ token: s.token, method: 'GET', headers: happ('phone-a') })).body)).toEqual([
      s.subscription.remote.username,
    ]);
    expect(touched).toEqual([]);
    // New: the read does not know it, touch registers it.
    expect(names((await answer({ token: s.token, method: 'GET', headers: happ('phone-b') })).body)).toEqual([
      s.subscription.remote.username,
    ]);
    expect(touched).toEqual(['phone-b']);
    expect((await s.kit.devices.list(s.subscription.id)).map((d) => d.hwid).sort()).toEqual(['phone-a', 'phone-b']);
  });
});

describe('the buyer’s language, read only when the answer says something in words', () => {
  it('is read for an owner banner in any language, an expiry within days, and never for a blank banner', async () => {
    const quiet = await setUp(null, { notice: async () => ({ banner: { en: '  ', ru: '' } }) });
    await quiet.answer({ token: quiet.token, method: 'GET', headers: happ('phone-a') });
    expect(quiet.asked).toEqual([]);

    // A banner in Farsi alone: the answer may speak (in Farsi), so the language is read.
    const farsi = await setUp(null, { notice: async () => ({ banner: { en: '', fa: 'سلام' } }) });
    await farsi.answer({ token: farsi.token, method: 'GET', headers: happ('phone-a') });
    expect(farsi.asked).toEqual([farsi.customerId]);

    // One text for every language.
    const one = await setUp(null, { notice: async () => ({ banner: 'Maintenance at 02:00' }) });
    const spoken = await one.answer({ token: one.token, method: 'GET', headers: happ('phone-a') });
    expect(one.asked).toEqual([one.customerId]);
    expect(spoken.headers['announce']).toBe(`base64:${Buffer.from('Maintenance at 02:00').toString('base64')}`);

    // The subscription ends within the warning's days.
    const ending = await setUp(null);
    ending.clock.set(new Date(ending.subscription.expiresAt!.getTime() - 86_400_000));
    const warned = await ending.answer({ token: ending.token, method: 'GET', headers: happ('phone-a') });
    expect(ending.asked).toEqual([ending.customerId]);
    expect(Buffer.from(warned.headers['announce']!.slice('base64:'.length), 'base64').toString('utf8')).toMatch(/^Подписка заканчивается/);
  });
});
