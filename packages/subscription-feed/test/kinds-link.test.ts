/**
 * A link holding parts of several kinds, end to end on the memory storage: an app's device is counted on the Xray
 * parts alone (nothing registered or refreshed on a WireGuard or Telegram part, and no limit of theirs refuses the
 * link), and `subscription-userinfo` sums only the parts the app's format is served (Xray; Xray and WireGuard in a
 * Clash or sing-box profile), never an AmneziaWG or Telegram part.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FEED_TEXTS } from '../src/feed/texts.js';
import { deviceLimited, linkFeed } from '../src/feed/feed.js';
import { createFeedHandler } from '../src/handler.js';
import { kindsKit } from './support/kinds-kit.js';

const GiB = 1024 ** 3;
const DAY = 86_400_000;

/** A Happ with this hardware id (it reads base64). */
const happ = (hwid: string) => ({ 'user-agent': 'Happ/4.6.0/ios/2603181556604', 'x-hwid': hwid, 'x-device-os': 'iOS' });
/** A Clash Verge with this hardware id (it reads a Clash profile). */
const clashVerge = (hwid: string) => ({ 'user-agent': 'clash-verge/v2.4.3', 'x-hwid': hwid });
const V2RAYNG = { 'user-agent': 'v2rayNG/1.10.2' };
const SING_BOX = { 'user-agent': 'SFA/1.12.4 (Android 14; sing-box 1.12.4)' };

async function setUp() {
  const k = await kindsKit();
  const answer = createFeedHandler({
    kit: k.kit,
    title: 'Demo VPN',
    linkUrl: (t) => `https://shop.example/s/${t}`,
    now: () => k.clock.now(),
  });
  const hwids = async (subscriptionId: string) => (await k.kit.devices.list(subscriptionId)).map((d) => d.hwid).sort();
  return { ...k, answer, hwids };
}

/** The proxies' types of a Clash profile. */
const clashTypes = (body: string) => (parse(body) as { proxies: Array<{ type: string }> }).proxies.map((p) => p.type);

/** The decoded lines of a base64 answer. */
const base64Lines = (body: string) => Buffer.from(body, 'base64').toString('utf8').split('\n');

const userInfo = (download: number, total: number, expires: Date) =>
  `upload=0; download=${download}; total=${total}; expire=${Math.floor(expires.getTime() / 1000)}`;

describe('devices on a link with WireGuard and Telegram parts', () => {
  it('are registered and refreshed on the Xray part alone', async () => {
    const s = await setUp();
    const { customerId, token } = await s.customer();
    const parts = await s.buy(customerId, ['xray', 'wireguard', 'mtproto'], { deviceLimit: 1 });
    const [xray, wg, tg] = [parts.get('xray')!, parts.get('wireguard')!, parts.get('mtproto')!];

    const first = await s.answer({ token, method: 'GET', headers: happ('phone-a') });
    expect(first.status).toBe(200);
    expect(base64Lines(first.body)).toEqual(xray.shareLinks);
    expect(await s.hwids(xray.id)).toEqual(['phone-a']);
    const seen = (await s.kit.devices.list(xray.id))[0]!.lastSeenAt;

    // A day on, the same phone's Clash app: the link's read refreshes its device on the Xray part, and only there.
    s.clock.advance(DAY);
    const again = await s.answer({ token, method: 'GET', headers: clashVerge('phone-a') });
    expect(clashTypes(again.body)).toEqual(['vless', 'wireguard']);
    expect((await s.kit.devices.list(xray.id))[0]!.lastSeenAt.getTime()).toBeGreaterThan(seen.getTime());
    expect(await s.hwids(wg.id)).toEqual([]);
    expect(await s.hwids(tg.id)).toEqual([]);
  });

  it('never refuse the link for a WireGuard or Telegram part’s limit; the Xray part’s limit still tells a refused app why', async () => {
    const s = await setUp();
    const { customerId, token } = await s.customer();
    const parts = await s.buy(customerId, ['xray', 'wireguard', 'mtproto'], { deviceLimit: 2 });
    const [xray, wg, tg] = [parts.get('xray')!, parts.get('wireguard')!, parts.get('mtproto')!];
    // Checkout sells them uncounted; a limit written on them anyway (an older row, a hand edit) changes nothing.
    expect([wg.deviceLimit, tg.deviceLimit]).toEqual([null, null]);
    await s.patch(wg, { deviceLimit: 1 });
    await s.patch(tg, { deviceLimit: 1 });

    for (const hwid of ['phone-a', 'phone-b']) {
      const answer = await s.answer({ token, method: 'GET', headers: clashVerge(hwid) });
      expect(clashTypes(answer.body), hwid).toEqual(['vless', 'wireguard']);
    }
    expect(await s.hwids(xray.id)).toEqual(['phone-a', 'phone-b']);
    expect(await s.hwids(wg.id)).toEqual([]);
    expect(await s.hwids(tg.id)).toEqual([]);

    // A third device is over the Xray part's limit: the WireGuard part, served unchecked, does not hide the refusal.
    const third = await s.answer({ token, method: 'GET', headers: happ('phone-c') });
    expect(third.status).toBe(200);
    const lines = base64Lines(third.body).map((line) => decodeURIComponent(line.slice(line.indexOf('#') + 1)));
    expect(lines).toContain(FEED_TEXTS.en.device_limit_reached);
    expect(third.body).not.toContain(xray.shareLinks[0]);
  });

  it('do not make a link of WireGuard and Telegram parts device-limited, whatever limit they carry', async () => {
    const s = await setUp();
    const { customerId } = await s.customer();
    const parts = await s.buy(customerId, ['wireguard', 'mtproto']);
    const limited = [...parts.values()].map((part) => ({ ...part, deviceLimit: 1 }));
    expect(deviceLimited(linkFeed(limited))).toBe(false);
    expect(deviceLimited(linkFeed([...limited, { ...limited[0]!, id: 'sub_xray', kind: 'xray' }]))).toBe(true);
  });
});

describe('the usage header on a link of several kinds', () => {
  it('sums the Xray parts for a base64 app, adds the WireGuard part for Clash and sing-box, and never AmneziaWG or Telegram', async () => {
    const s = await setUp();
    const { customerId, token } = await s.customer();
    const parts = await s.buy(customerId, ['xray', 'wireguard', 'amneziawg', 'mtproto']);
    const now = s.clock.now().getTime();
    const ends = (days: number) => new Date(now + days * DAY);
    await s.patch(parts.get('xray')!, { usedBytes: 1 * GiB, trafficLimitBytes: 10 * GiB, expiresAt: ends(30) });
    await s.patch(parts.get('wireguard')!, { usedBytes: 2 * GiB, trafficLimitBytes: 20 * GiB, expiresAt: ends(20) });
    await s.patch(parts.get('amneziawg')!, { usedBytes: 4 * GiB, trafficLimitBytes: 40 * GiB, expiresAt: ends(10) });
    // Ending within days and nearly used up: a warning, if it were summed.
    await s.patch(parts.get('mtproto')!, { usedBytes: 79 * GiB, trafficLimitBytes: 80 * GiB, expiresAt: ends(2) });
    const ask = (headers: Record<string, string>) => s.answer({ token, method: 'GET', headers });

    const base64 = await ask(V2RAYNG);
    expect(base64.headers['subscription-userinfo']).toBe(userInfo(1 * GiB, 10 * GiB, ends(30)));
    // The Telegram part's end is not this app's to announce.
    expect(base64.headers['announce']).toBeUndefined();
    for (const headers of [clashVerge('phone-a'), SING_BOX]) {
      const profile = await ask(headers);
      expect(profile.headers['subscription-userinfo'], headers['user-agent']).toBe(userInfo(3 * GiB, 30 * GiB, ends(20)));
    }
  });

  it('says nothing of a Telegram part: a link of only one answers zeros, a blocked link its newest Xray part’s totals', async () => {
    const s = await setUp();
    const { customerId, token } = await s.customer();
    const telegram = (await s.buy(customerId, ['mtproto'])).get('mtproto')!;
    await s.patch(telegram, { usedBytes: 9 * GiB });
    const ask = () => s.answer({ token, method: 'GET', headers: V2RAYNG });
    expect((await ask()).headers['subscription-userinfo']).toBe('upload=0; download=0; total=0; expire=0');

    const xray = (await s.buy(customerId, ['xray'])).get('xray')!;
    s.clock.advance(60_000);
    const newer = (await s.buy(customerId, ['mtproto'])).get('mtproto')!;
    for (const part of [telegram, xray, newer]) await s.patch(part, { status: 'expired' });
    await s.patch(xray, { usedBytes: 5 * GiB, trafficLimitBytes: 50 * GiB });
    await s.patch(newer, { usedBytes: 7 * GiB, trafficLimitBytes: 8 * GiB });
    const blocked = await ask();
    expect(base64Lines(blocked.body).some((line) => line.includes(encodeURIComponent(FEED_TEXTS.en.expired)))).toBe(true);
    expect(blocked.headers['subscription-userinfo']).toBe(userInfo(5 * GiB, 50 * GiB, xray.expiresAt!));
  });
});
