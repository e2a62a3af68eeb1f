import { describe, expect, it } from 'vitest';
import { DeviceInfoSchema, deviceInfoAsIs } from '../../src/domain/device.js';
import { parseLinkDeviceRefresh } from '../../src/ports/storage-link-tokens.js';

const phone = {
  hwid: 'hw-1',
  platform: 'ios',
  osVersion: '17.4',
  model: 'iPhone15,2',
  app: 'Happ',
  appVersion: '3.1',
  userAgent: 'Happ/3.1',
};

describe('deviceInfoAsIs: the device check without zod', () => {
  it("answers DeviceInfoSchema's parse for a device already in its parsed form", () => {
    for (const device of [phone, { hwid: 'hw-1' }, { ...phone, model: null, userAgent: undefined }, { hwid: 'h', platform: '' }]) {
      expect(deviceInfoAsIs(device, false)).toEqual(DeviceInfoSchema.parse(device));
    }
    expect(deviceInfoAsIs({ ...phone, hwid: null }, true)).toEqual({ ...phone, hwid: null });
  });

  it('leaves anything else to the schema (untrimmed, too long, unknown fields, not an object literal)', () => {
    for (const device of [
      { ...phone, hwid: ' hw-1' },
      { ...phone, model: 'x'.repeat(201) },
      { ...phone, hwid: '' },
      { ...phone, hwid: null },
      { ...phone, extra: 1 },
      { ...phone, app: 3 },
      null,
      'hw-1',
      Object.assign(Object.create(null), phone),
    ]) {
      expect(deviceInfoAsIs(device, false)).toBeUndefined();
    }
  });

  it('parseLinkDeviceRefresh gives the same answer by hand and through zod, and words a bad request', () => {
    const request = { limit: 10, statuses: ['active', 'on_hold'] as const, device: phone, seenAfter: new Date(0) };
    expect(parseLinkDeviceRefresh(request)).toEqual(request);
    // Untrimmed: parsed by the schema, the same shape.
    expect(parseLinkDeviceRefresh({ ...request, device: { hwid: ' hw-1 ' } }).device).toEqual(DeviceInfoSchema.parse({ hwid: 'hw-1' }));
    for (const bad of [
      { ...request, limit: 0 },
      { ...request, statuses: [] },
      { ...request, statuses: ['gone'] },
      { ...request, seenAfter: new Date(Number.NaN) },
      { ...request, device: { hwid: '' } },
      { ...request, other: 1 },
    ]) {
      expect(() => parseLinkDeviceRefresh(bad as never)).toThrow(/link device refresh/);
    }
  });
});
