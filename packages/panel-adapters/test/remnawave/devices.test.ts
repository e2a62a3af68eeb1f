/** Remnawave's HWID devices: the adapter's requests and answers on the wire (msw), and the panel's own link's device check. */
import { deriveRemoteIdentity, PanelkitError } from '@panelkit/sdk';
import type { ClientRef, TargetRef } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRemnawaveAdapter, type RemnawaveAdapter } from '../../src/remnawave/index.js';
import { createRemnawaveSimulator, type RemnawaveSimulator } from '../../src/simulators/remnawave/index.js';
import { ctx, DAY, serveSimulator, server, useMsw } from '../support/msw.js';

useMsw();

const ORIGIN = 'http://remnawave.devices.test';
const TOKEN = 'remnawave-devices-token';
const ONE_TRY = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 };

let clock: ManualClock;
let sim: RemnawaveSimulator;
let adapter: RemnawaveAdapter;
let target: TargetRef;
let sequence = 0;

async function newUser(deviceLimit: number | null = 2): Promise<{ ref: ClientRef; id: number; shortUuid: string }> {
  const identity = deriveRemoteIdentity(`devices-${++sequence}`, 0, { secret: 'remnawave-devices-identity-secret' });
  const expiry = { type: 'at' as const, at: new Date(clock.now().getTime() + 30 * DAY) };
  const [client] = await adapter.createClients(target, [{ identity, expiry, trafficLimitBytes: null, deviceLimit, enabled: true }], ctx());
  const user = sim.byName(client!.ref.username)!;
  return { ref: { target, username: user.username }, id: user.id, shortUuid: user.shortUuid };
}

/** An app's fetch of the panel's own subscription link. */
async function appFetch(shortUuid: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${ORIGIN}/api/sub/${shortUuid}`, {
    headers: { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https', ...headers },
  });
}

const happ = (hwid: string) => ({
  'x-hwid': hwid,
  'x-device-os': 'iOS',
  'x-ver-os': '18.5',
  'x-device-model': 'iPhone15,2',
  'user-agent': 'Happ/4.6.0/ios',
});

async function failure(promise: Promise<unknown>): Promise<PanelkitError> {
  try {
    await promise;
  } catch (error) {
    if (PanelkitError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  clock = new ManualClock('2026-05-01T00:00:00Z');
  sim = createRemnawaveSimulator({ clock, apiToken: TOKEN });
  serveSimulator(ORIGIN, sim);
  adapter = createRemnawaveAdapter({ baseUrl: ORIGIN, auth: { token: TOKEN }, retry: ONE_TRY, timeoutMs: 1_000 });
  target = (await adapter.listTargets(ctx())).find((candidate) => candidate.name === 'Default-Squad')!;
});

describe('remnawave devices on the wire', () => {
  it('lists a user’s devices by its numeric id, mapping the contract’s fields', async () => {
    const { ref, id } = await newUser();
    const seen: string[] = [];
    server.use(
      http.get(`${ORIGIN}/api/hwid/devices/:userId`, ({ params }) => {
        seen.push(String(params.userId));
        return HttpResponse.json({
          response: {
            total: 1,
            devices: [
              {
                hwid: 'b1f0c9e2d3a4',
                userId: Number(params.userId),
                platform: 'Android',
                osVersion: '14',
                deviceModel: 'Pixel 8',
                userAgent: 'v2raytun/android',
                requestIp: '203.0.113.9',
                createdAt: '2026-04-30T10:00:00.000Z',
                updatedAt: '2026-04-30T12:30:00.000Z',
              },
            ],
          },
        });
      }),
    );
    expect(await adapter.listDevices(ref, ctx())).toEqual([
      {
        hwid: 'b1f0c9e2d3a4',
        platform: 'Android',
        osVersion: '14',
        model: 'Pixel 8',
        userAgent: 'v2raytun/android',
        firstSeenAt: new Date('2026-04-30T10:00:00.000Z'),
        lastSeenAt: new Date('2026-04-30T12:30:00.000Z'),
      },
    ]);
    expect(seen).toEqual([String(id)]);
  });

  it('removes by `{ userId, hwid }`; "HWID device not found" (A204) and "User not found" (A025) are success, a 500 is retryable', async () => {
    const { ref, id } = await newUser();
    const bodies: unknown[] = [];
    const notFound = (code: string, message: string) =>
      HttpResponse.json(
        { timestamp: '2026-05-01T00:00:00.000Z', path: '/api/hwid/devices/delete', message, errorCode: code },
        { status: 404 },
      );
    const answers = [
      () => notFound('A204', 'HWID device not found'),
      () => notFound('A025', 'User not found'),
      () =>
        HttpResponse.json(
          {
            timestamp: '2026-05-01T00:00:00.000Z',
            path: '/api/hwid/devices/delete',
            message: 'Delete hwid user device error',
            errorCode: 'A101',
          },
          { status: 500 },
        ),
    ];
    server.use(
      http.post(`${ORIGIN}/api/hwid/devices/delete`, async ({ request }) => {
        bodies.push(await request.json());
        return answers.shift()!();
      }),
    );
    await adapter.removeDevice(ref, 'b1f0c9e2d3a4', ctx());
    await adapter.removeDevice(ref, 'b1f0c9e2d3a4', ctx());
    const error = await failure(adapter.removeDevice(ref, 'b1f0c9e2d3a4', ctx()));
    expect(error.retryable).toBe(true);
    expect(bodies).toEqual([1, 2, 3].map(() => ({ userId: id, hwid: 'b1f0c9e2d3a4' })));
  });

  it('asks nothing of the device routes for a user that is not on the panel', async () => {
    let asked = 0;
    server.use(
      http.all(`${ORIGIN}/api/hwid/*`, () => {
        asked += 1;
        return HttpResponse.json({ response: { total: 0, devices: [] } });
      }),
    );
    const ref = { target, username: 'not_on_the_panel' };
    expect(await adapter.listDevices(ref, ctx())).toEqual([]);
    await adapter.removeDevice(ref, 'b1f0c9e2d3a4', ctx());
    await adapter.resetDevices(ref, ctx());
    expect(asked).toBe(0);
  });
});

describe('remnawave’s own subscription link counts devices', () => {
  it('with HWID off, records every app that sends a valid X-HWID and serves it', async () => {
    const { ref, shortUuid } = await newUser();
    for (const hwid of ['aaaaaaaaaa01', 'aaaaaaaaaa02', 'aaaaaaaaaa03']) expect((await appFetch(shortUuid, happ(hwid))).status).toBe(200);
    // Too short for the panel's pattern: as if the app sent none.
    await appFetch(shortUuid, happ('short'));
    const devices = await adapter.listDevices(ref, ctx());
    expect(devices.map((d) => d.hwid).sort()).toEqual(['aaaaaaaaaa01', 'aaaaaaaaaa02', 'aaaaaaaaaa03']);
    expect(devices[0]).toMatchObject({ platform: 'iOS', osVersion: '18.5', model: 'iPhone15,2', userAgent: 'Happ/4.6.0/ios' });
  });

  it('with HWID on, refuses a new device at the user’s limit and an app without an id, with the panel’s headers', async () => {
    sim.hwidSettings = { enabled: true, fallbackDeviceLimit: 5, maxDevicesAnnounce: 'Too many devices' };
    const { ref, shortUuid } = await newUser(2);
    await appFetch(shortUuid, happ('bbbbbbbbbb01'));
    clock.advance(60_000);
    await appFetch(shortUuid, happ('bbbbbbbbbb02'));
    const refused = await appFetch(shortUuid, happ('bbbbbbbbbb03'));
    expect(refused.status).toBe(200);
    expect(refused.headers.get('x-hwid-max-devices-reached')).toBe('true');
    expect(refused.headers.get('x-hwid-limit')).toBe('true');
    expect(refused.headers.get('announce')).toBe(`base64:${Buffer.from('Too many devices').toString('base64')}`);
    expect(Buffer.from(await refused.text(), 'base64').toString()).toContain(encodeURIComponent('Limit of devices reached'));
    const noId = await appFetch(shortUuid, { 'user-agent': 'v2rayNG/1.10.2' });
    expect(noId.headers.get('x-hwid-not-supported')).toBe('true');
    // A known device is served and refreshed.
    clock.advance(60_000);
    expect((await appFetch(shortUuid, happ('bbbbbbbbbb01'))).headers.get('x-hwid-limit')).toBeNull();
    const devices = await adapter.listDevices(ref, ctx());
    expect(devices.map((d) => d.hwid).sort()).toEqual(['bbbbbbbbbb01', 'bbbbbbbbbb02']);
    expect(devices.find((d) => d.hwid === 'bbbbbbbbbb01')!.lastSeenAt).toEqual(clock.now());
    // Freeing a slot on the panel lets the refused device in.
    await adapter.removeDevice(ref, 'bbbbbbbbbb02', ctx());
    expect((await appFetch(shortUuid, happ('bbbbbbbbbb03'))).headers.get('x-hwid-limit')).toBeNull();
    await adapter.resetDevices(ref, ctx());
    expect(await adapter.listDevices(ref, ctx())).toEqual([]);
  });

  it('a user without a device limit (0) bypasses the check and is still recorded; deleting the user deletes its devices', async () => {
    sim.hwidSettings = { enabled: true, fallbackDeviceLimit: 1, maxDevicesAnnounce: null };
    const { ref, shortUuid } = await newUser(null);
    for (const hwid of ['cccccccccc01', 'cccccccccc02'])
      expect((await appFetch(shortUuid, happ(hwid))).headers.get('x-hwid-limit')).toBeNull();
    expect(await adapter.listDevices(ref, ctx())).toHaveLength(2);
    await adapter.deleteClient(ref, ctx());
    expect(await adapter.listDevices(ref, ctx())).toEqual([]);
  });
});
