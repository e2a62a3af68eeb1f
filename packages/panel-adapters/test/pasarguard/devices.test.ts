/** PasarGuard's HWID devices (v4.0 on): the adapter's requests and answers on the wire (msw), and `/sub`'s device check. */
import { PanelkitError } from '@panelkit/sdk';
import type { ClientRef } from '@panelkit/sdk/adapter';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '../support/msw.js';
import { ALL_GROUP, ORIGIN, ctx, setup, spec, useMsw } from './setup.js';

useMsw();

const happ = (hwid: string) => ({
  'x-hwid': hwid,
  'x-device-os': 'iOS',
  'x-ver-os': '18.5',
  'x-device-model': 'iPhone15,2',
  'user-agent': 'Happ/4.6.0/ios',
});

/** A client with `deviceLimit`, its ref and its subscription URL on the panel. */
async function client(
  adapter: ReturnType<typeof setup>['adapter'],
  clock: ReturnType<typeof setup>['clock'],
  name: string,
  deviceLimit: number | null,
) {
  const [created] = await adapter.createClients(ALL_GROUP, [spec(name, clock, { deviceLimit })], ctx());
  const ref: ClientRef = created!.ref;
  const { subscriptionUrl } = await adapter.links(ref, ctx());
  return { ref, id: Number(ref.remoteClientId), subscriptionUrl: subscriptionUrl! };
}

async function failure(promise: Promise<unknown>): Promise<PanelkitError> {
  try {
    await promise;
  } catch (error) {
    if (PanelkitError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('pasarguard devices on the wire', () => {
  it('lists a user’s devices by its id, naive UTC times read as UTC', async () => {
    const { adapter, clock } = setup();
    const { ref, id } = await client(adapter, clock, 'pg-dev-list', 2);
    const asked: string[] = [];
    server.use(
      http.get(`${ORIGIN}/api/user/:userId/hwids`, ({ params }) => {
        asked.push(String(params.userId));
        return HttpResponse.json({
          hwids: [
            {
              id: 7,
              hwid: 'd41d8cd98f00b204',
              device_os: 'android',
              os_version: '14',
              device_model: 'SM-S918B',
              created_at: '2026-04-30T10:00:00.123456',
              last_used_at: '2026-04-30T12:30:00',
            },
          ],
          count: 1,
        });
      }),
    );
    expect(await adapter.listDevices(ref, ctx())).toEqual([
      {
        hwid: 'd41d8cd98f00b204',
        platform: 'android',
        osVersion: '14',
        model: 'SM-S918B',
        userAgent: null,
        firstSeenAt: new Date('2026-04-30T10:00:00.123Z'),
        lastSeenAt: new Date('2026-04-30T12:30:00.000Z'),
      },
    ]);
    expect(asked).toEqual([String(id)]);
  });

  it('deletes one device by its id in the path; "HWID not found" and "User not found" are success, a 500 is retryable', async () => {
    const { adapter, clock } = setup();
    const { ref, id } = await client(adapter, clock, 'pg-dev-delete', 2);
    const paths: string[] = [];
    const answers = [
      () => HttpResponse.json({ detail: 'HWID not found' }, { status: 404 }),
      () => HttpResponse.json({ detail: 'User not found' }, { status: 404 }),
      () => new HttpResponse('Internal Server Error', { status: 500, headers: { 'content-type': 'text/plain' } }),
    ];
    server.use(
      http.delete(`${ORIGIN}/api/user/:userId/hwids/:hwid`, ({ request }) => {
        paths.push(new URL(request.url).pathname);
        return answers.shift()!();
      }),
    );
    await adapter.removeDevice(ref, 'id with space?', ctx());
    await adapter.removeDevice(ref, 'id with space?', ctx());
    expect((await failure(adapter.removeDevice(ref, 'id with space?', ctx()))).retryable).toBe(true);
    expect(paths).toEqual([1, 2, 3].map(() => `/api/user/${id}/hwids/id%20with%20space%3F`));
    // The panel's server decodes the path before routing: an id with a "/" cannot be named, so it is not sent.
    expect((await failure(adapter.removeDevice(ref, 'a/b', ctx()))).code).toBe('PANEL_REJECTED');
    expect(paths).toHaveLength(3);
  });

  it('a panel before v4.0 has no device routes: no devices, nothing to forget, and the capability turns off', async () => {
    const { adapter, clock } = setup({ hwidRoutes: false });
    const { ref } = await client(adapter, clock, 'pg-dev-v3', 2);
    expect(adapter.capabilities).toMatchObject({ deviceList: true, deviceRemoval: true });
    await adapter.removeDevice(ref, 'd41d8cd98f00b204', ctx());
    await adapter.resetDevices(ref, ctx());
    expect(await adapter.listDevices(ref, ctx())).toEqual([]);
    expect(adapter.capabilities).toMatchObject({ deviceList: false, deviceRemoval: false, deviceLimit: true });
  });
});

describe('pasarguard’s own /sub link counts devices', () => {
  it('registers a described device under the user’s hwid_limit and refuses the next with 403 "Device limit reached"', async () => {
    const { adapter, clock } = setup();
    const { ref, subscriptionUrl } = await client(adapter, clock, 'pg-dev-sub', 2);
    expect((await fetch(subscriptionUrl, { headers: happ('phone-0001') })).status).toBe(200);
    clock.advance(60_000);
    expect((await fetch(subscriptionUrl, { headers: happ('phone-0002') })).status).toBe(200);
    const refused = await fetch(subscriptionUrl, { headers: happ('phone-0003') });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ detail: 'Device limit reached' });
    // No id and not forced: served, counted nowhere.
    expect((await fetch(subscriptionUrl, { headers: { 'user-agent': 'v2rayNG/1.10.2' } })).status).toBe(200);
    const devices = await adapter.listDevices(ref, ctx());
    expect(devices.map((d) => d.hwid)).toEqual(['phone-0002', 'phone-0001']);
    expect(devices[0]).toMatchObject({ platform: 'iOS', osVersion: '18.5', model: 'iPhone15,2' });
    await adapter.removeDevice(ref, 'phone-0001', ctx());
    expect((await fetch(subscriptionUrl, { headers: happ('phone-0003') })).status).toBe(200);
    await adapter.resetDevices(ref, ctx());
    expect(await adapter.listDevices(ref, ctx())).toEqual([]);
  });

  it('a client without a device limit (hwid_limit 0) is exempt: served, nothing registered', async () => {
    const { adapter, clock } = setup();
    const { ref, subscriptionUrl } = await client(adapter, clock, 'pg-dev-exempt', null);
    for (const hwid of ['tab-0001', 'tab-0002', 'tab-0003'])
      expect((await fetch(subscriptionUrl, { headers: happ(hwid) })).status).toBe(200);
    expect(await adapter.listDevices(ref, ctx())).toEqual([]);
  });

  it('forced HWID refuses an app without an id (403 "HWID header required"); HWID off registers nothing', async () => {
    const { adapter, sim, clock } = setup({ hwidSettings: { forced: true } });
    const { ref, subscriptionUrl } = await client(adapter, clock, 'pg-dev-forced', 3);
    const noId = await fetch(subscriptionUrl, { headers: { 'user-agent': 'v2rayNG/1.10.2' } });
    expect(noId.status).toBe(403);
    expect(await noId.json()).toEqual({ detail: 'HWID header required' });
    sim.hwidSettings = { ...sim.hwidSettings, enabled: false };
    expect((await fetch(subscriptionUrl, { headers: happ('phone-0001') })).status).toBe(200);
    expect(await adapter.listDevices(ref, ctx())).toEqual([]);
  });
});
