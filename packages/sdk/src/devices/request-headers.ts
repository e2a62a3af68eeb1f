import type { DeviceRequest } from '../engine/devices.js';

/**
 * The request headers the subscription apps describe their device with, as PasarGuard and Remnawave read them on
 * their own `/sub` links (and as Happ, v2RayTun, Hiddify and the other apps that count devices send them).
 */
export const DEVICE_HEADERS = Object.freeze({
  hwid: 'x-hwid',
  os: 'x-device-os',
  osVersion: 'x-ver-os',
  model: 'x-device-model',
  userAgent: 'user-agent',
});

/** Request headers as Node (`IncomingHttpHeaders`, lower-case names) or the Fetch API (`Headers`) give them. */
export type RequestHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** App names as the User-Agent spells them, mapped to the name a buyer knows (keys lower-case). */
const APP_NAMES: Readonly<Record<string, string>> = {
  happ: 'Happ',
  v2raytun: 'v2RayTun',
  hiddify: 'Hiddify',
  hiddifynext: 'Hiddify',
  streisand: 'Streisand',
  sfa: 'sing-box (SFA)',
  sfi: 'sing-box (SFI)',
  sfm: 'sing-box (SFM)',
  sft: 'sing-box (SFT)',
  'sing-box': 'sing-box',
  'clash-verge': 'Clash Verge',
  v2rayng: 'v2rayNG',
  v2rayn: 'v2rayN',
  flclashx: 'FlClashX',
  shadowrocket: 'Shadowrocket',
  karing: 'Karing',
};

/** Platform names as apps write them (`X-Device-OS`, or inside the User-Agent), mapped to one spelling each. */
const PLATFORMS: readonly (readonly [RegExp, string])[] = [
  [/\bandroid\b/i, 'android'],
  [/\b(ios|iphone|ipados|ipad)\b/i, 'ios'],
  [/\b(macos|mac ?os ?x|macintosh|darwin-mac)\b/i, 'macos'],
  [/\bwindows\b/i, 'windows'],
  [/\blinux\b/i, 'linux'],
  [/\btvos\b/i, 'tvos'],
];

/**
 * The value of header `name` in either shape of {@link RequestHeaders}, whatever the case of a record's keys; the first
 * value of a repeated header; `undefined` when absent. The one reader of request headers for the SDK and its packages.
 */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(wanted) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const value = record[wanted] ?? otherCase(record, wanted);
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * The value under a key that is `wanted` in another case (a record not from Node, whose names are lower-case), found
 * without building the record's entries: a link refresh asks for several absent headers.
 */
function otherCase(
  record: Readonly<Record<string, string | readonly string[] | undefined>>,
  wanted: string,
): string | readonly string[] | undefined {
  for (const key in record) if (Object.hasOwn(record, key) && key !== wanted && key.toLowerCase() === wanted) return record[key];
  return undefined;
}

function header(headers: RequestHeaders, name: string, max: number): string | null {
  const text = headerValue(headers, name)?.trim();
  return text === undefined || text === '' ? null : text.slice(0, max);
}

function platformIn(text: string | null): string | null {
  if (text === null) return null;
  for (const [pattern, platform] of PLATFORMS) if (pattern.test(text)) return platform;
  return null;
}

/**
 * The app and its version from a User-Agent's first product token (`Happ/4.6.0/ios/…`, `v2raytun/android`,
 * `SFA/1.11.4 (…)`, `clash-verge/v2.2.3`): the name as buyers know it, and the version when the token carries one
 * (a leading `v` dropped). A browser's or an unknown token's name is kept as sent.
 */
export function appFromUserAgent(userAgent: string | null): { app: string | null; appVersion: string | null } {
  const token = userAgent?.match(/^\s*([A-Za-z][\w.-]*)(?:\/([^\s/;()]+))?/);
  if (token === null || token === undefined) return { app: null, appVersion: null };
  const name = token[1]!;
  const version = token[2]?.replace(/^v(?=\d)/, '') ?? null;
  return { app: APP_NAMES[name.toLowerCase()] ?? name, appVersion: version !== null && /^\d/.test(version) ? version.slice(0, 50) : null };
}

/**
 * What a subscription app's request says about its device, for `kit.devices.touch`: the hardware id (`X-HWID`;
 * `null` when absent, as from v2rayNG), the platform (`X-Device-OS`, else guessed from the User-Agent) lower-cased
 * to one spelling (`android`, `ios`, `macos`, `windows`, `linux`), its version (`X-Ver-OS`), the model
 * (`X-Device-Model`), and the app and version from the User-Agent. Values are trimmed and cut to the registry's
 * lengths, never refused: a device is never turned away for describing itself at length.
 */
export function parseDeviceHeaders(headers: RequestHeaders): DeviceRequest {
  const userAgent = header(headers, DEVICE_HEADERS.userAgent, 500);
  const os = header(headers, DEVICE_HEADERS.os, 50);
  return {
    hwid: header(headers, DEVICE_HEADERS.hwid, 200),
    platform: platformIn(os) ?? os?.toLowerCase() ?? platformIn(userAgent),
    osVersion: header(headers, DEVICE_HEADERS.osVersion, 100),
    model: header(headers, DEVICE_HEADERS.model, 200),
    ...appFromUserAgent(userAgent),
    userAgent,
  };
}
