import { describe, expect, it } from 'vitest';
import { appFromUserAgent, parseDeviceHeaders } from '../../src/index.js';
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
