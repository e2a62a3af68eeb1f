import { describe, expect, it } from 'vitest';
import type { RemoteDevice } from '../../ports/panel.js';
import type { PanelTestDevice } from './harness.js';
import { bareRef, createOne } from './support.js';
import type { PanelSuiteEnv } from './support.js';

/** Two phones as Happ and v2RayTun describe them (ids of the length and alphabet every panel accepts). */
const PHONE: PanelTestDevice = {
  hwid: 'a3f1c2d4e5b60718',
  platform: 'android',
  osVersion: '14',
  model: 'Pixel 8',
  userAgent: 'Happ/3.13.0/Android/1234567890',
};
const TABLET: PanelTestDevice = {
  hwid: 'b7e2d9c0a1f34856',
  platform: 'ios',
  osVersion: '18.5',
  model: 'iPad14,1',
  userAgent: 'v2raytun/ios',
};

function byHwid(devices: readonly RemoteDevice[]): RemoteDevice[] {
  return [...devices].sort((a, b) => (a.hwid < b.hwid ? -1 : a.hwid > b.hwid ? 1 : 0));
}

/**
 * The devices a panel registered on its own subscription link (`listDevices`, where `capabilities.deviceList`)
 * and, where `capabilities.deviceRemoval`, forgetting them (`removeDevice`, `resetDevices`), idempotently. Devices
 * reach the panel through `controls.fetchSubscriptionAs`, as an app's fetch of the panel's link does.
 */
export function devicesSuite(env: PanelSuiteEnv): void {
  describe('devices', () => {
    const skipWithout = (context: { skip: (condition: boolean, note?: string) => void }, removal: boolean) => {
      const { capabilities } = env.adapter;
      context.skip(capabilities.deviceList !== true, 'the panel keeps no device list the adapter reads');
      context.skip(env.controls.fetchSubscriptionAs === undefined, 'the controls cannot fetch the panel’s own subscription link');
      if (removal) context.skip(capabilities.deviceRemoval !== true, 'the panel cannot forget devices');
    };

    it('lists the devices that fetched the panel’s own link, each once, with what they said of themselves', async (context) => {
      skipWithout(context, false);
      const client = await createOne(env);
      const ref = bareRef(env.target, client.ref.username);
      expect(await env.adapter.listDevices!(ref, env.ctx())).toEqual([]);
      await env.controls.fetchSubscriptionAs!(client.ref.username, PHONE);
      await env.controls.fetchSubscriptionAs!(client.ref.username, TABLET);
      await env.controls.fetchSubscriptionAs!(client.ref.username, PHONE);
      const devices = byHwid(await env.adapter.listDevices!(ref, env.ctx()));
      expect(devices.map((d) => d.hwid)).toEqual([PHONE.hwid, TABLET.hwid]);
      expect(devices[0]).toMatchObject({ osVersion: PHONE.osVersion, model: PHONE.model });
      expect(devices[0]!.platform?.toLowerCase()).toBe(PHONE.platform);
      for (const device of devices) {
        if (device.userAgent !== null) expect([PHONE.userAgent, TABLET.userAgent]).toContain(device.userAgent);
        if (device.firstSeenAt !== null && device.lastSeenAt !== null) expect(device.lastSeenAt >= device.firstSeenAt).toBe(true);
      }
      // Another client's devices are its own.
      const other = await createOne(env);
      expect(await env.adapter.listDevices!(bareRef(env.target, other.ref.username), env.ctx())).toEqual([]);
    });

    it('lists no devices for a client that does not exist', async (context) => {
      skipWithout(context, false);
      expect(await env.adapter.listDevices!(bareRef(env.target, 'pkt_nobody_here'), env.ctx())).toEqual([]);
    });

    it('forgets one device, then every device, and takes each request again as success', async (context) => {
      skipWithout(context, true);
      const client = await createOne(env);
      const ref = bareRef(env.target, client.ref.username);
      await env.controls.fetchSubscriptionAs!(client.ref.username, PHONE);
      await env.controls.fetchSubscriptionAs!(client.ref.username, TABLET);
      await env.adapter.removeDevice!(ref, PHONE.hwid, env.ctx());
      expect((await env.adapter.listDevices!(ref, env.ctx())).map((d) => d.hwid)).toEqual([TABLET.hwid]);
      // A retry after a lost answer finds the device gone: success.
      await env.adapter.removeDevice!(ref, PHONE.hwid, env.ctx());
      await env.adapter.resetDevices!(ref, env.ctx());
      expect(await env.adapter.listDevices!(ref, env.ctx())).toEqual([]);
      await env.adapter.resetDevices!(ref, env.ctx());
      // A forgotten device that fetches the link again is registered anew.
      await env.controls.fetchSubscriptionAs!(client.ref.username, PHONE);
      expect((await env.adapter.listDevices!(ref, env.ctx())).map((d) => d.hwid)).toEqual([PHONE.hwid]);
    });

    it('takes forgetting the devices of a client that does not exist as success', async (context) => {
      skipWithout(context, true);
      const ref = bareRef(env.target, 'pkt_nobody_here');
      await env.adapter.removeDevice!(ref, PHONE.hwid, env.ctx());
      await env.adapter.resetDevices!(ref, env.ctx());
    });
  });
}
