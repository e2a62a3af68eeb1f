import { describe, expect, it } from 'vitest';
import { JOB_TYPES, PanelConnectionError, parseDeviceHeaders } from '../../src/index.js';
import type { RemoteDevice } from '../../src/adapter.js';
import { APP_REQUESTS } from '../devices/app-requests.js';
import { createHarness } from './harness.js';

const STAFF = { type: 'admin' as const, id: 'adm_1' };
const BUYER = { type: 'customer' as const, id: 'cus_self' };

/** A device that fetched the panel's own link (as the panel lists it). */
function onPanel(hwid: string, at: string, extra: Partial<RemoteDevice> = {}): RemoteDevice {
  return {
    hwid,
    platform: 'Android',
    osVersion: '14',
    model: 'Pixel 7',
    userAgent: 'Happ/3.13.0/Android',
    firstSeenAt: new Date(at),
    lastSeenAt: new Date(at),
    ...extra,
  };
}

/** A provisioned subscriber on a fake panel that lists devices and, unless told otherwise, forgets them. */
async function subscriber(deviceLimit: number | null, deviceRemoval = true) {
  const h = await createHarness({ plan: { deviceLimit }, panel: { capabilities: { deviceList: true, deviceRemoval } } });
  const customerId = await h.customer(10_000);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
  await h.worker().drain();
  const id = subscriptions[0]!.id;
  const username = (await h.storage.subscriptions.get(id))!.remote.username;
  const fake = h.panels[0]!.fake;
  const jobsOf = async (type: string) => (await h.storage.jobs.list({ type }, { limit: 20 })).items;
  return { h, id, username, fake, jobsOf };
}

describe('kit.devices with a panel that keeps devices', () => {
  it('lists the registry’s devices and the panel’s, each hardware id once, first seen first, with where each is known', async () => {
    const { h, id, username, fake } = await subscriber(3);
    h.clock.set(new Date('2026-03-02T00:00:00.000Z'));
    await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers));
    const happHwid = APP_REQUESTS.happIos.expected.hwid;
    fake.setDevices(username, [
      onPanel('direct-phone', '2026-03-01T12:00:00.000Z'),
      // The registry's Happ phone reached the panel's link too, earlier and then later than the shop's.
      onPanel(happHwid, '2026-03-01T06:00:00.000Z', { lastSeenAt: new Date('2026-03-03T00:00:00.000Z') }),
    ]);
    const listed = await h.kit.devices.list(id);
    expect(listed.map((d) => [d.hwid, d.source])).toEqual([
      [happHwid, 'both'],
      ['direct-phone', 'panel'],
    ]);
    expect(listed[0]).toMatchObject({
      app: 'Happ',
      firstSeenAt: new Date('2026-03-01T06:00:00.000Z'),
      lastSeenAt: new Date('2026-03-03T00:00:00.000Z'),
    });
    // A device only the panel holds is described as the registry describes one, with an id of the kit's.
    expect(listed[1]).toMatchObject({ platform: 'android', model: 'Pixel 7', app: 'Happ', appVersion: '3.13.0', subscriptionId: id });
    expect(listed[1]!.id).toMatch(/^panel_[0-9a-f]{40}$/);
    expect((await h.kit.devices.list(id))[1]!.id).toBe(listed[1]!.id);
    // The panel is down: the registry's devices are listed alone.
    fake.setDown(true);
    expect((await h.kit.devices.list(id)).map((d) => d.source)).toEqual(['registry']);
  });

  it('removes a registry device and, through a job in the same transaction, makes the panel forget it', async () => {
    const { h, id, username, fake, jobsOf } = await subscriber(2);
    const registered = await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers));
    const hwid = APP_REQUESTS.happIos.expected.hwid;
    fake.setDevices(username, [onPanel(hwid, '2026-03-01T00:00:00.000Z'), onPanel('other', '2026-03-01T00:00:00.000Z')]);
    const removed = await h.kit.devices.remove(id, registered.served ? registered.device!.id : '', BUYER);
    expect(removed).toMatchObject({ hwid, source: 'registry' });
    const [job] = await jobsOf(JOB_TYPES.removePanelDevice);
    expect(job).toMatchObject({ state: 'queued', payload: { subscriptionId: id, hwid } });
    // Gone from the kit's list at once, while the panel still holds it until the job has run.
    expect((await h.kit.devices.list(id)).map((d) => d.hwid)).toEqual(['other']);
    expect(fake.devicesOf(username)).toHaveLength(2);
    await h.worker().drain();
    expect(fake.devicesOf(username).map((d) => d.hwid)).toEqual(['other']);
    expect(fake.calls.removeDevice).toBe(1);
    expect((await h.kit.devices.list(id)).map((d) => [d.hwid, d.source])).toEqual([['other', 'panel']]);
  });

  it('removes a device only the panel holds by the id the list gave, once, and refuses an id it does not know', async () => {
    const { h, id, username, fake, jobsOf } = await subscriber(2);
    fake.setDevices(username, [onPanel('direct-phone', '2026-03-01T00:00:00.000Z')]);
    const [listed] = await h.kit.devices.list(id);
    const removed = await h.kit.devices.remove(id, listed!.id, BUYER);
    expect(removed).toMatchObject({ id: listed!.id, hwid: 'direct-phone', source: 'panel' });
    // Removed in the kit at once: asked again before the job ran, there is no such device.
    await expect(h.kit.devices.remove(id, listed!.id, BUYER)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await jobsOf(JOB_TYPES.removePanelDevice)).toHaveLength(1);
    const audit = await h.storage.audit.list({ subjectId: id }, { limit: 10 });
    expect(audit.items.find((e) => e.action === 'device.removed')).toMatchObject({
      actor: BUYER,
      data: { hwid: 'direct-phone', source: 'panel' },
    });
    await h.worker().drain();
    expect(fake.devicesOf(username)).toEqual([]);
    await expect(h.kit.devices.remove(id, listed!.id, BUYER)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.kit.devices.remove(id, 'panel_0000', BUYER)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('frees the slot of a device the panel counts at once, before the panel has forgotten it', async () => {
    const { h, id, username, fake } = await subscriber(2);
    fake.setDevices(username, [onPanel('direct-phone', '2026-03-01T00:00:00.000Z'), onPanel('direct-tablet', '2026-03-01T00:00:00.000Z')]);
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers))).toMatchObject({
      served: false,
      reason: 'limit_reached',
    });
    const phone = (await h.kit.devices.list(id)).find((d) => d.hwid === 'direct-phone')!;
    await h.kit.devices.remove(id, phone.id, BUYER);
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers))).toMatchObject({
      served: true,
      outcome: 'registered',
    });
    // A reset queued: nothing the panel holds counts any more.
    await h.kit.devices.reset(id, STAFF, 'fresh start');
    expect(await h.kit.devices.list(id)).toEqual([]);
    expect(fake.devicesOf(username).map((d) => d.hwid)).toEqual(['direct-phone', 'direct-tablet']);
    await h.worker().drain();
    expect(fake.devicesOf(username)).toEqual([]);
  });

  it('a removal job succeeds when the panel has forgotten the device already (idempotent), and retries a panel failure', async () => {
    const { h, id, username, fake, jobsOf } = await subscriber(2);
    fake.setDevices(username, [onPanel('direct-phone', '2026-03-01T00:00:00.000Z')]);
    const [listed] = await h.kit.devices.list(id);
    await h.kit.devices.remove(id, listed!.id, BUYER);
    fake.setDevices(username, []);
    fake.failNext('removeDevice', () => new PanelConnectionError('the panel did not answer', { panelKind: 'fake' }));
    await h.worker().drain();
    expect((await jobsOf(JOB_TYPES.removePanelDevice))[0]).toMatchObject({ state: 'queued', attempts: 1 });
    h.clock.advance(60_000);
    await h.worker().drain();
    expect((await jobsOf(JOB_TYPES.removePanelDevice))[0]).toMatchObject({ state: 'succeeded' });
    expect(fake.calls.removeDevice).toBe(2);
  });

  it('a reset removes the registry’s devices and, through one job, every device on the panel', async () => {
    const { h, id, username, fake, jobsOf } = await subscriber(null);
    await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers));
    fake.setDevices(username, [
      onPanel('direct-phone', '2026-03-01T00:00:00.000Z'),
      onPanel(APP_REQUESTS.happIos.expected.hwid, '2026-03-01T00:00:00.000Z'),
    ]);
    const removed = await h.kit.devices.reset(id, STAFF, 'buyer changed phones');
    expect(removed.map((d) => [d.hwid, d.source]).sort()).toEqual([
      [APP_REQUESTS.happIos.expected.hwid, 'both'],
      ['direct-phone', 'panel'],
    ]);
    expect(await jobsOf(JOB_TYPES.resetPanelDevices)).toHaveLength(1);
    const audit = await h.storage.audit.list({ subjectId: id }, { limit: 10 });
    expect(audit.items.find((e) => e.action === 'device.reset')).toMatchObject({ data: { removed: 2 } });
    await h.worker().drain();
    expect(fake.devicesOf(username)).toEqual([]);
    expect(await h.kit.devices.list(id)).toEqual([]);
  });

  it('queues nothing for a panel that cannot forget devices, and a job for a panel whose adapter cannot be had now', async () => {
    const { h, id, username, fake, jobsOf } = await subscriber(2, false);
    fake.setDevices(username, [onPanel('direct-phone', '2026-03-01T00:00:00.000Z')]);
    const registered = await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers));
    await h.kit.devices.remove(id, registered.served ? registered.device!.id : '', BUYER);
    await h.kit.devices.reset(id, STAFF, 'fresh start');
    expect([...(await jobsOf(JOB_TYPES.removePanelDevice)), ...(await jobsOf(JOB_TYPES.resetPanelDevices))]).toEqual([]);
    expect(fake.devicesOf(username)).toHaveLength(1);

    const other = await subscriber(2);
    other.h.fakes.clear();
    await other.h.kit.panels.update(other.h.panels[0]!.panel.id, { baseUrl: 'https://moved.example.com/' });
    await other.h.kit.devices.reset(other.id, STAFF, 'panel being rebuilt');
    expect(await other.jobsOf(JOB_TYPES.resetPanelDevices)).toHaveLength(1);
  });
});
