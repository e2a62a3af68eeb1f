import { describe, expect, it, vi } from 'vitest';
import { parseDeviceHeaders, withAuditOutbox } from '../../src/index.js';
import type { AuditOutboxHook } from '../../src/index.js';
import type { PanelkitEvents } from '../../src/events.js';
import { APP_REQUESTS } from '../devices/app-requests.js';
import { createHarness } from './harness.js';

/** A subscriber of a plan with `deviceLimit` and `noHwidPolicy`, provisioned (on a panel that lists devices with `deviceList`). */
async function subscriber(
  plan: { deviceLimit: number | null; noHwidPolicy?: 'serve' | 'refuse' },
  deviceList = false,
  policy: { deviceSeenEveryMs?: number } = {},
) {
  const h = await createHarness({ plan, panel: { capabilities: { deviceList } }, policy });
  const customerId = await h.customer(10_000);
  const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
  await h.worker().drain();
  const events: { name: keyof PanelkitEvents; payload: unknown }[] = [];
  for (const name of ['device:registered', 'device:refused', 'device:removed'] as const)
    h.kit.events.on(name, (payload) => void events.push({ name, payload }));
  return { h, id: subscriptions[0]!.id, events };
}

const STAFF = { type: 'admin' as const, id: 'adm_1' };

describe('kit.devices', () => {
  it('counts the apps’ devices up to the limit, refreshes them, refuses the next one, and frees a slot on removal', async () => {
    const { h, id, events } = await subscriber({ deviceLimit: 2 });
    const happ = await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers));
    expect(happ).toMatchObject({ served: true, outcome: 'registered', device: { app: 'Happ', platform: 'ios', model: 'iPhone 16 Pro' } });
    h.clock.advance(60_000);
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers))).toMatchObject({
      served: true,
      outcome: 'refreshed',
    });
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.v2raytunAndroid.headers))).toMatchObject({
      outcome: 'registered',
    });
    const refused = await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.hiddifyWindows.headers));
    expect(refused).toEqual({ served: false, reason: 'limit_reached', limit: 2, count: 2 });
    // v2rayNG sends no id: served uncounted under the default policy, even at the limit.
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.v2rayngNoId.headers))).toEqual({
      served: true,
      outcome: 'uncounted',
      device: null,
    });

    const listed = await h.kit.devices.list(id);
    expect(listed.map((d) => d.app)).toEqual(['Happ', 'v2RayTun']);
    const removed = await h.kit.devices.remove(id, listed[0]!.id, { type: 'customer', id: 'cus_self' });
    expect(removed.hwid).toBe(APP_REQUESTS.happIos.expected.hwid);
    await expect(h.kit.devices.remove(id, listed[0]!.id, { type: 'customer' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.hiddifyWindows.headers))).toMatchObject({ outcome: 'registered' });
    // The removed phone asks again: it is a new device now, and the slots are full.
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers))).toMatchObject({
      served: false,
      reason: 'limit_reached',
    });

    expect(events.map((e) => e.name)).toEqual([
      'device:registered',
      'device:registered',
      'device:refused',
      'device:removed',
      'device:registered',
      'device:refused',
    ]);
    const audit = await h.storage.audit.list({ subjectId: id }, { limit: 10 });
    expect(audit.items.find((e) => e.action === 'device.removed')).toMatchObject({
      actor: { type: 'customer', id: 'cus_self' },
      data: { deviceId: removed.id },
    });
    // Each registration is audited (the buyer's, naming the device, never its hardware id); a refresh or refusal is not.
    const customerId = (await h.storage.subscriptions.get(id))!.customerId;
    const registered = audit.items.filter((e) => e.action === 'device.registered');
    expect(registered.map((e) => e.data['app']).sort()).toEqual(['Happ', 'Hiddify', 'v2RayTun']);
    expect(registered.find((e) => e.data['app'] === 'Happ')).toMatchObject({
      actor: { type: 'customer', id: customerId },
      subjectType: 'subscription',
      data: { deviceId: happ.served ? happ.device!.id : null, model: 'iPhone 16 Pro', platform: 'ios', app: 'Happ' },
    });
    for (const event of registered) expect(Object.keys(event.data).sort()).toEqual(['app', 'deviceId', 'model', 'platform']);
  });

  it('registers a device in one transaction with its audit event: an outbox hook sees it there, and a hook that fails registers nothing', async () => {
    let failHook = false;
    const seen: { action: string; devicesInTx: number }[] = [];
    const hook: AuditOutboxHook = async (tx, event) => {
      seen.push({ action: event.action, devicesInTx: (await tx.devices.list(event.subjectId)).length });
      if (failHook && event.action === 'device.registered') throw new Error('outbox down');
    };
    const h = await createHarness({ plan: { deviceLimit: 2 }, wrapStorage: (storage) => withAuditOutbox(storage, hook) });
    const customerId = await h.customer(10_000);
    const { subscriptions } = await h.kit.checkout({ customerId, items: [{ planId: h.plan.id }], idempotencyKey: 'buy' });
    await h.worker().drain();
    const id = subscriptions[0]!.id;
    const happ = parseDeviceHeaders(APP_REQUESTS.happIos.headers);
    seen.length = 0;

    await h.kit.devices.touch(id, happ);
    // The hook ran in the registration's transaction: the device it registered is there already.
    expect(seen).toEqual([{ action: 'device.registered', devicesInTx: 1 }]);
    h.clock.advance(86_400_000);
    expect(await h.kit.devices.touch(id, happ)).toMatchObject({ outcome: 'refreshed' });
    expect(seen).toHaveLength(1);

    failHook = true;
    const tun = parseDeviceHeaders(APP_REQUESTS.v2raytunAndroid.headers);
    await expect(h.kit.devices.touch(id, tun)).rejects.toThrow('outbox down');
    expect((await h.storage.devices.list(id)).map((d) => d.app)).toEqual(['Happ']);
    const audit = await h.storage.audit.list({ subjectId: id }, { limit: 50 });
    expect(audit.items.filter((e) => e.action === 'device.registered')).toHaveLength(1);
    failHook = false;
    expect(await h.kit.devices.touch(id, tun)).toMatchObject({ outcome: 'registered' });
  });

  it('a known device removed while its refresh was on the way is registered again, audited like any registration', async () => {
    const { h, id } = await subscriber({ deviceLimit: 2 });
    const happ = parseDeviceHeaders(APP_REQUESTS.happIos.headers);
    await h.kit.devices.touch(id, happ);
    h.clock.advance(86_400_000);
    // The device is removed between the registry's read and the refresh's write.
    const refresh = h.storage.devices.refresh.bind(h.storage.devices);
    vi.spyOn(h.storage.devices, 'refresh').mockImplementationOnce(async (request) => {
      const [phone] = await h.storage.devices.list(id);
      await h.storage.devices.remove(id, phone!.id);
      return refresh(request);
    });
    expect(await h.kit.devices.touch(id, happ)).toMatchObject({ served: true, outcome: 'registered' });
    const audit = await h.storage.audit.list({ subjectId: id }, { limit: 50 });
    expect(audit.items.filter((e) => e.action === 'device.registered')).toHaveLength(2);
  });

  it('refuses an app without an id when the plan says so, and keeps that policy frozen in the subscription’s terms', async () => {
    const { h, id, events } = await subscriber({ deviceLimit: 3, noHwidPolicy: 'refuse' });
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.v2rayngNoId.headers))).toEqual({
      served: false,
      reason: 'hwid_required',
      limit: 3,
      count: 0,
    });
    expect(events[0]).toMatchObject({
      name: 'device:refused',
      payload: { reason: 'hwid_required', device: { hwid: null, app: 'v2rayNG' } },
    });
    // The owner relaxes the plan: existing subscribers keep the terms they bought until told.
    await h.kit.plans.update(h.plan.id, { noHwidPolicy: 'serve' });
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.v2rayngNoId.headers))).toMatchObject({ served: false });
    await h.kit.applyCurrentTerms({ planId: h.plan.id });
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.v2rayngNoId.headers))).toMatchObject({
      served: true,
      outcome: 'uncounted',
    });
  });

  it('staff reset every device with a reason, audited; a subscription without a limit registers every app', async () => {
    const { h, id, events } = await subscriber({ deviceLimit: null });
    for (const request of Object.values(APP_REQUESTS)) await h.kit.devices.touch(id, parseDeviceHeaders(request.headers));
    expect(await h.kit.devices.list(id)).toHaveLength(Object.keys(APP_REQUESTS).length - 1);
    await expect(h.kit.devices.reset(id, STAFF, '  ')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const removed = await h.kit.devices.reset(id, STAFF, 'buyer changed phones');
    expect(removed).toHaveLength(7);
    expect(await h.kit.devices.list(id)).toEqual([]);
    expect(events.at(-1)).toMatchObject({ name: 'device:removed', payload: { actor: STAFF, reason: 'buyer changed phones' } });
    const audit = await h.storage.audit.list({ subjectId: id }, { limit: 10 });
    expect(audit.items.find((e) => e.action === 'device.reset')).toMatchObject({
      actor: STAFF,
      data: { reason: 'buyer changed phones', removed: 7 },
    });
  });

  it('refuses an unknown subscription and a bad description, registering nothing', async () => {
    const { h, id } = await subscriber({ deviceLimit: 2 });
    await expect(h.kit.devices.touch('sub_missing', { hwid: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.kit.devices.list('sub_missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.kit.devices.touch(id, { hwid: 'x', model: 'm'.repeat(201) })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await h.kit.devices.list(id)).toEqual([]);
  });

  it('counts the devices the panel registered on its own link, and keeps serving when the panel cannot tell', async () => {
    const { h, id } = await subscriber({ deviceLimit: 2 }, true);
    const sub = (await h.storage.subscriptions.get(id))!;
    const fake = h.panels[0]!.fake;
    const direct = {
      platform: 'android',
      osVersion: '14',
      model: 'Pixel 7',
      userAgent: 'Happ/3.13.0',
      firstSeenAt: null,
      lastSeenAt: null,
    };
    fake.setDevices(sub.remote.username, [
      { hwid: 'direct-1', ...direct },
      { hwid: 'direct-2', ...direct },
    ]);
    // Both slots are taken by devices that reached the panel directly.
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers))).toEqual({
      served: false,
      reason: 'limit_reached',
      limit: 2,
      count: 2,
    });
    // One of them comes through the shop's link: it is registered, taking no new slot.
    expect(await h.kit.devices.touch(id, { hwid: 'direct-1' })).toMatchObject({ served: true, outcome: 'registered' });
    const callsBefore = fake.calls.listDevices;
    expect(await h.kit.devices.touch(id, { hwid: 'direct-1' })).toMatchObject({ outcome: 'refreshed' });
    // A known device is refreshed without asking the panel.
    expect(fake.calls.listDevices).toBe(callsBefore);
    // The panel is down: the registry alone decides (one of two slots taken).
    fake.setDown(true);
    expect(await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers))).toMatchObject({ outcome: 'registered' });
  });

  it('writes a known device’s last-seen time at most every deviceSeenEveryMs, and its new description at once', async () => {
    const { h, id } = await subscriber({ deviceLimit: 1 }, false, { deviceSeenEveryMs: 10 * 60_000 });
    const happ = parseDeviceHeaders(APP_REQUESTS.happIos.headers);
    const registered = await h.kit.devices.touch(id, happ);
    const firstSeen = h.clock.now();
    expect(registered).toMatchObject({ served: true, outcome: 'registered' });
    const touches = vi.spyOn(h.storage.devices, 'touch');
    const refreshes = vi.spyOn(h.storage.devices, 'refresh');
    const transactions = vi.spyOn(h.storage, 'transaction');
    const lastSeen = async () => (await h.storage.devices.list(id))[0]!.lastSeenAt;

    // Refreshes within the interval: served as the registry holds the device, nothing written. Each is one
    // `devices.refresh` that names the interval's start (`seenAfter`), so the storage reads and writes in one call.
    h.clock.advance(4 * 60_000);
    expect(await h.kit.devices.touch(id, happ)).toMatchObject({ served: true, outcome: 'refreshed', device: { lastSeenAt: firstSeen } });
    expect(refreshes).toHaveBeenLastCalledWith(expect.objectContaining({ seenAfter: new Date(h.clock.now().getTime() - 10 * 60_000) }));
    h.clock.advance(5 * 60_000);
    expect(await h.kit.devices.touch(id, happ)).toMatchObject({ served: true, outcome: 'refreshed', device: { lastSeenAt: firstSeen } });
    expect(await lastSeen()).toEqual(firstSeen);

    // The interval passed since the last write: this refresh writes.
    h.clock.advance(60_000);
    expect(await h.kit.devices.touch(id, happ)).toMatchObject({ outcome: 'refreshed', device: { lastSeenAt: h.clock.now() } });
    expect(await lastSeen()).toEqual(h.clock.now());
    // A changed description is written at once, within the interval.
    h.clock.advance(60_000);
    expect(await h.kit.devices.touch(id, { ...happ, appVersion: '4.7.0' })).toMatchObject({ device: { appVersion: '4.7.0' } });
    expect(await lastSeen()).toEqual(h.clock.now());
    expect(refreshes).toHaveBeenCalledTimes(4);
    // A refresh never registers, and never opens a transaction: only a registration does.
    expect(touches).not.toHaveBeenCalled();
    expect(transactions).not.toHaveBeenCalled();
  });

  it('keeps nothing of a device between requests: a removed one is counted anew at once, within the interval', async () => {
    const { h, id, events } = await subscriber({ deviceLimit: 1 }, false, { deviceSeenEveryMs: 10 * 60_000 });
    const happ = parseDeviceHeaders(APP_REQUESTS.happIos.headers);
    const v2raytun = parseDeviceHeaders(APP_REQUESTS.v2raytunAndroid.headers);
    await h.kit.devices.touch(id, happ);
    h.clock.advance(60_000);
    await h.kit.devices.touch(id, happ);
    const [phone] = await h.kit.devices.list(id);
    await h.kit.devices.remove(id, phone!.id, STAFF);
    // The slot is free at once: another device takes it, and the removed phone is refused the next second.
    expect(await h.kit.devices.touch(id, v2raytun)).toMatchObject({ served: true, outcome: 'registered' });
    h.clock.advance(1_000);
    expect(await h.kit.devices.touch(id, happ)).toEqual({ served: false, reason: 'limit_reached', limit: 1, count: 1 });
    expect(events.map((e) => e.name)).toEqual(['device:registered', 'device:removed', 'device:registered', 'device:refused']);
  });

  it('0 writes every refresh; a negative interval is refused at start', async () => {
    const { h, id } = await subscriber({ deviceLimit: 1 }, false, { deviceSeenEveryMs: 0 });
    const happ = parseDeviceHeaders(APP_REQUESTS.happIos.headers);
    await h.kit.devices.touch(id, happ);
    h.clock.advance(1_000);
    expect(await h.kit.devices.touch(id, happ)).toMatchObject({ outcome: 'refreshed', device: { lastSeenAt: h.clock.now() } });
    await expect(createHarness({ policy: { deviceSeenEveryMs: -1 } })).rejects.toThrow(/deviceSeenEveryMs/);
  });

  it('decides on the subscription the caller read, without reading it again; refuses one that is not the one touched', async () => {
    const { h, id } = await subscriber({ deviceLimit: 2 });
    const sub = (await h.storage.subscriptions.get(id))!;
    const reads = vi.spyOn(h.storage.subscriptions, 'get');
    const happ = parseDeviceHeaders(APP_REQUESTS.happIos.headers);
    expect(await h.kit.devices.touch(id, happ, { subscription: sub })).toMatchObject({ served: true, outcome: 'registered' });
    expect(reads).not.toHaveBeenCalled();
    const other = { ...sub, id: 'sub_other' };
    await expect(
      h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.v2raytunAndroid.headers), { subscription: other }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(await h.kit.devices.list(id)).toHaveLength(1);
  });

  it('asks a panel without the capability nothing', async () => {
    const { h, id } = await subscriber({ deviceLimit: 1 });
    await h.kit.devices.touch(id, parseDeviceHeaders(APP_REQUESTS.happIos.headers));
    expect(h.panels[0]!.fake.calls.listDevices).toBe(0);
  });
});
