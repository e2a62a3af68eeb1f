/**
 * Subscription fetches as the apps send them (header names as PasarGuard and Remnawave read them on their `/sub`
 * links; values written for these tests). Whether an app sends `X-HWID` depends on its version and settings:
 * these are the shapes of versions that do, and v2rayNG, which sends none.
 */
export interface AppRequest {
  headers: Record<string, string>;
  /** What `parseDeviceHeaders` must read from them. */
  expected: {
    hwid: string | null;
    platform: string | null;
    osVersion: string | null;
    model: string | null;
    app: string;
    appVersion: string | null;
  };
}

export const APP_REQUESTS = {
  happIos: {
    headers: {
      'user-agent': 'Happ/4.6.0/ios/2603181556604',
      'x-device-os': 'iOS',
      'x-hwid': '5f0c2a9e7d1b4c3a',
      'x-device-locale': 'en',
      'x-ver-os': '26.1',
      'x-app-version': '4.6.0',
      'x-device-model': 'iPhone 16 Pro',
    },
    expected: { hwid: '5f0c2a9e7d1b4c3a', platform: 'ios', osVersion: '26.1', model: 'iPhone 16 Pro', app: 'Happ', appVersion: '4.6.0' },
  },
  happAndroid: {
    headers: {
      'User-Agent': 'Happ/3.13.0',
      'X-Device-Os': 'Android',
      'X-Device-Locale': 'fa',
      'X-Device-Model': 'SM-A546E',
      'X-Ver-Os': '15',
      'X-Hwid': '0a1b2c3d4e5f6789',
    },
    expected: { hwid: '0a1b2c3d4e5f6789', platform: 'android', osVersion: '15', model: 'SM-A546E', app: 'Happ', appVersion: '3.13.0' },
  },
  v2raytunAndroid: {
    headers: {
      'user-agent': 'v2raytun/android',
      'x-hwid': 'A4F09C11D2E3B456',
      'x-device-os': 'Android',
      'x-ver-os': '14',
      'x-device-model': 'Pixel 8',
    },
    expected: { hwid: 'A4F09C11D2E3B456', platform: 'android', osVersion: '14', model: 'Pixel 8', app: 'v2RayTun', appVersion: null },
  },
  hiddifyWindows: {
    headers: {
      'user-agent': 'HiddifyNext/2.5.7 (windows) like ClashMeta v2ray sing-box',
      'x-hwid': 'hiddify-7b3e1f20',
      'x-device-os': 'Windows',
      'x-ver-os': '10.0.26100',
    },
    expected: { hwid: 'hiddify-7b3e1f20', platform: 'windows', osVersion: '10.0.26100', model: null, app: 'Hiddify', appVersion: '2.5.7' },
  },
  streisandIos: {
    headers: {
      'user-agent': 'Streisand/1.6.48',
      'x-hwid': '9C2B6E0F-11A4-4E55-8F33-2B7D0C1E9A42',
      'x-device-os': 'iOS',
      'x-ver-os': '18.5',
      'x-device-model': 'iPhone14,5',
    },
    expected: {
      hwid: '9C2B6E0F-11A4-4E55-8F33-2B7D0C1E9A42',
      platform: 'ios',
      osVersion: '18.5',
      model: 'iPhone14,5',
      app: 'Streisand',
      appVersion: '1.6.48',
    },
  },
  singBoxAndroid: {
    headers: {
      'user-agent': 'SFA/1.11.4 (393; sing-box 1.11.4; language en_US)',
      'x-hwid': 'sfa-3e8d0b7c',
      'x-device-os': 'Android',
      'x-ver-os': '13',
      'x-device-model': 'Redmi Note 12',
    },
    expected: {
      hwid: 'sfa-3e8d0b7c',
      platform: 'android',
      osVersion: '13',
      model: 'Redmi Note 12',
      app: 'sing-box (SFA)',
      appVersion: '1.11.4',
    },
  },
  clashVergeMac: {
    headers: {
      'user-agent': 'clash-verge/v2.2.3',
      'x-hwid': 'cv-6d1f0e22a9',
      'x-device-os': 'macOS',
      'x-ver-os': '15.4',
    },
    expected: { hwid: 'cv-6d1f0e22a9', platform: 'macos', osVersion: '15.4', model: null, app: 'Clash Verge', appVersion: '2.2.3' },
  },
  v2rayngNoId: {
    headers: { 'user-agent': 'v2rayNG/1.10.2', 'accept-encoding': 'gzip' },
    expected: { hwid: null, platform: null, osVersion: null, model: null, app: 'v2rayNG', appVersion: '1.10.2' },
  },
} satisfies Record<string, AppRequest>;
