import { describe, expect, it } from 'vitest';
import { appFromUserAgent, parseDeviceHeaders } from '../../src/index.js';
import { headerValue } from '../../src/devices/request-headers.js';
import { APP_REQUESTS } from './app-requests.js';

describe('parseDeviceHeaders', () => {
  for (const [name, request] of Object.entries(APP_REQUESTS)) {
    it(`reads ${name}'s request`, () => {
      const parsed = parseDeviceHeaders(request.headers);
      expect(parsed).toEqual({
        ...request.expected,
        userAgent: Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'user-agent')![1],
      });
    });
  }

  it('reads Fetch API Headers and Node’s array values alike', () => {
    const fromFetch = parseDeviceHeaders(new Headers(APP_REQUESTS.happIos.headers));
    expect(fromFetch).toMatchObject(APP_REQUESTS.happIos.expected);
    expect(parseDeviceHeaders({ 'x-hwid': ['first', 'second'], 'user-agent': 'Happ/1.0' }).hwid).toBe('first');
  });

  it("headerValue: a record's names in any case, Node's null-prototype records too; an absent header is undefined", () => {
    const mixed = { 'X-HWID': 'abc', 'user-agent': 'Happ/1.0', Accept: ['text/plain', 'x'] };
    expect(headerValue(mixed, 'x-hwid')).toBe('abc');
    expect(headerValue(mixed, 'User-Agent')).toBe('Happ/1.0');
    expect(headerValue(mixed, 'accept')).toBe('text/plain');
    expect(headerValue(mixed, 'x-device-os')).toBeUndefined();
    const node: Record<string, string> = Object.assign(Object.create(null), { host: 'shop.example', 'x-hwid': 'n1' });
    expect(headerValue(node, 'X-Hwid')).toBe('n1');
    expect(headerValue(node, 'accept')).toBeUndefined();
  });

  it('treats a blank id as none, guesses the platform from the User-Agent, and cuts long values instead of refusing them', () => {
    const parsed = parseDeviceHeaders({
      'x-hwid': '   ',
      'user-agent': 'HiddifyNext/2.5.7 (android) like ClashMeta',
      'x-device-model': 'm'.repeat(300),
    });
    expect(parsed.hwid).toBeNull();
    expect(parsed.platform).toBe('android');
    expect(parsed.model).toHaveLength(200);
    expect(parseDeviceHeaders({}).platform).toBeNull();
    expect(parseDeviceHeaders({ 'x-device-os': 'HarmonyOS' }).platform).toBe('harmonyos');
  });

  it('names the app and its version from the first product token', () => {
    expect(appFromUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X)')).toEqual({ app: 'Mozilla', appVersion: '5.0' });
    expect(appFromUserAgent(null)).toEqual({ app: null, appVersion: null });
    expect(appFromUserAgent('  ')).toEqual({ app: null, appVersion: null });
    expect(appFromUserAgent('V2RayTun/2.1 CFNetwork/1568.200.51 Darwin/24.1.0')).toEqual({ app: 'v2RayTun', appVersion: '2.1' });
  });
});
