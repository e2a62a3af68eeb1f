import type { Device, DeviceInfo } from '@panelkit/sdk';
import type { Translate } from './translate.js';

/** Platforms as people write them, by the SDK's lower-cased spelling (`parseDeviceHeaders`). */
const PLATFORM_NAMES: Readonly<Record<string, string>> = {
  android: 'Android',
  ios: 'iOS',
  macos: 'macOS',
  windows: 'Windows',
  linux: 'Linux',
  tvos: 'tvOS',
};

/** What a device description needs: the fields its app sent (every one may be unknown). */
export type DeviceDescription = Pick<DeviceInfo, 'platform' | 'osVersion' | 'model' | 'app' | 'appVersion'>;

/** The platform's name as people write it (`iOS`), the app's own spelling when unknown here, `null` when none was sent. */
export function platformName(platform: string | null): string | null {
  return platform === null ? null : (PLATFORM_NAMES[platform] ?? platform);
}

/** A device's name for a list: its model, else the app on its platform, else "Unknown device". */
export function deviceName(device: DeviceDescription, t: Translate): string {
  if (device.model !== null) return device.model;
  const platform = platformName(device.platform);
  if (device.app !== null && platform !== null) return t('devices.appOn', { app: device.app, platform });
  return device.app ?? platform ?? t('devices.unknown');
}

/** What else the device said about itself: `iOS 26.1 · Happ 4.6.0` (empty when nothing). */
export function deviceDetails(device: DeviceDescription): string {
  const platform = platformName(device.platform);
  const os = platform === null ? null : [platform, device.osVersion].filter((p) => p !== null).join(' ');
  const app = device.app === null ? null : [device.app, device.appVersion].filter((p) => p !== null).join(' ');
  return [os, app].filter((p) => p !== null).join(' · ');
}

/** "2 of 3" or "2 (no limit)": how many devices a subscription counts against its limit. */
export function deviceCountText(count: number, limit: number | null, t: Translate): string {
  return limit === null ? t('devices.countUnlimited', { count }) : t('devices.countOfLimit', { count, limit });
}

/** A device as one line: its name and details. */
export function deviceLine(device: Pick<Device, keyof DeviceDescription>, t: Translate): string {
  const details = deviceDetails(device);
  return details === '' ? deviceName(device, t) : `${deviceName(device, t)} (${details})`;
}
