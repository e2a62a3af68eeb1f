import { describe, expect, it, vi } from 'vitest';
import type { Panel, Target } from '../../src/index.js';
import type { CallContext, RemoteTarget } from '../../src/adapter.js';
import { FakePanelAdapter } from '../../src/testing/index.js';
import { createHarness, type Harness } from './harness.js';

/** A fake panel whose list of targets the test edits, as an admin edits inbounds on a real one. */
class EditablePanel extends FakePanelAdapter {
  remote: RemoteTarget[] = [inbound('1', 'vless in'), inbound('2', 'trojan in', 'trojan')];
  override async listTargets(ctx: CallContext): Promise<RemoteTarget[]> {
    await super.listTargets(ctx); // counts the call and honours faults
    return this.remote.map((t) => ({ ...t }));
  }
}

function inbound(remoteRef: string, name: string, protocol = 'vless', enabled = true): RemoteTarget {
  return { remoteRef, name, protocol, enabled, clientCount: 0, remoteMeta: { port: Number(remoteRef) + 1000 } };
}

async function setUp(): Promise<{ h: Harness; panel: Panel; fake: EditablePanel }> {
  const h = await createHarness({ panels: 0 });
  const panel = await h.kit.panels.add({
    kind: 'fake',
    name: 'Frankfurt',
    baseUrl: 'https://panel.example.com/secret/',
    credentials: { type: 'password', username: 'admin', password: 'hunter2-long' },
    locationTags: ['de'],
  });
  const fake = new EditablePanel({ clock: h.clock });
  h.fakes.set(panel.id, fake);
  return { h, panel, fake };
}

async function auditOf(h: Harness, subjectId: string) {
  return (await h.storage.audit.list({ subjectId }, { limit: 50 })).items;
}

describe('kit.panels', () => {
  it('adds a panel with defaults and audits it, and refuses bad input with a ValidationError that stores nothing', async () => {
    const { h, panel } = await setUp();
    expect(panel).toMatchObject({ enabled: true, options: {}, locationTags: ['de'] });
    expect((await auditOf(h, panel.id)).map((e) => e.action)).toEqual(['panel.created']);
    await expect(
      h.kit.panels.add({ kind: 'fake', name: '', baseUrl: 'ftp://x', credentials: { type: 'token', token: 't' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: expect.arrayContaining([expect.objectContaining({ path: 'name' })]) });
    expect(await h.storage.panels.list()).toHaveLength(1);
  });

  it('updates settings, records which fields changed without the credentials, and refuses a kind change or an unknown panel', async () => {
    const { h, panel } = await setUp();
    h.clock.advance(1_000);
    const moved = await h.kit.panels.update(panel.id, {
      baseUrl: 'https://moved.example.com/',
      credentials: { type: 'password', username: 'admin', password: 'new-password' },
      name: 'Frankfurt',
    });
    expect(moved.baseUrl).toBe('https://moved.example.com/');
    const [updated] = await auditOf(h, panel.id);
    expect(updated?.action).toBe('panel.updated');
    expect(updated?.data).toEqual({ name: 'Frankfurt', kind: 'fake', changed: ['baseUrl', 'credentials'], credentialsChanged: true });
    expect(JSON.stringify(updated?.data)).not.toContain('new-password');
    await expect(h.kit.panels.update(panel.id, { kind: 'other' } as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(h.kit.panels.update('pnl_missing', { name: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.storage.panels.get(panel.id))?.kind).toBe('fake');
  });

  it("gives the engine's adapter for a panel: the same one each time until its connection settings change", async () => {
    const { h, panel, fake } = await setUp();
    expect(await h.kit.panels.adapter(panel.id)).toBe(fake);
    const replacement = new EditablePanel({ clock: h.clock });
    h.fakes.set(panel.id, replacement);
    await h.kit.panels.update(panel.id, { locationTags: ['eu'] });
    expect(await h.kit.panels.adapter(panel.id)).toBe(fake);
    await h.kit.panels.update(panel.id, { baseUrl: 'https://other.example.com/' });
    expect(await h.kit.panels.adapter(panel.id)).toBe(replacement);
    await expect(h.kit.panels.adapter('pnl_missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('turns a panel off and on, audited as panel.disabled/panel.enabled like its creation; a second click writes nothing', async () => {
    const { h, panel } = await setUp();
    const actor = { type: 'admin' as const, id: 'acc_owner' };
    h.clock.advance(1_000);
    expect(await h.kit.panels.setEnabled(panel.id, false, actor)).toMatchObject({ id: panel.id, enabled: false });
    expect((await h.storage.panels.get(panel.id))?.enabled).toBe(false);
    expect(await h.kit.panels.setEnabled(panel.id, false, actor)).toMatchObject({ enabled: false });
    h.clock.advance(1_000);
    await h.kit.panels.setEnabled(panel.id, true);
    const entries = (await auditOf(h, panel.id)).reverse();
    expect(entries.map((e) => [e.action, e.data, e.actor])).toEqual([
      ['panel.created', { name: 'Frankfurt', kind: 'fake' }, expect.objectContaining({ type: 'admin' })],
      ['panel.disabled', { name: 'Frankfurt', kind: 'fake' }, actor],
      ['panel.enabled', { name: 'Frankfurt', kind: 'fake' }, expect.objectContaining({ type: 'admin' })],
    ]);
    await expect(h.kit.panels.setEnabled('pnl_missing', false)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('kit.targets.update', () => {
  it("changes an admin's settings on a target, audited with what changed; unchanged or refused input writes nothing", async () => {
    const { h, panel } = await setUp();
    const [target] = (await h.kit.targets.sync(panel.id, { capacity: 10 })).added as [Target];
    const updated = await h.kit.targets.update(target.id, { capacity: 25, tags: ['fast'], isDefault: true, provisioningEnabled: false });
    expect(updated).toMatchObject({
      capacity: 25,
      tags: ['fast'],
      provisioningEnabled: false,
      name: target.name,
      remoteRef: target.remoteRef,
    });
    expect(await h.storage.targets.get(target.id)).toMatchObject({ capacity: 25, tags: ['fast'], provisioningEnabled: false });
    await h.kit.targets.update(target.id, { capacity: 25, tags: ['fast'] });
    await expect(h.kit.targets.update(target.id, { capacity: -1 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(h.kit.targets.update(target.id, { name: 'renamed' } as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(h.kit.targets.update('tgt_missing', { capacity: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const entries = await auditOf(h, target.id);
    expect(entries.map((e) => [e.action, e.subjectType, e.data])).toEqual([
      [
        'target.updated',
        'target',
        {
          panelId: panel.id,
          name: target.name,
          changed: ['capacity', 'tags', 'provisioningEnabled'],
          capacity: 25,
          tags: ['fast'],
          isDefault: true,
          provisioningEnabled: false,
        },
      ],
    ]);
    expect((await h.storage.targets.get(target.id))?.name).toBe(target.name);
  });
});

describe('kit.targets.sync', () => {
  it('creates the enabled targets with the given capacity, the first one the default, and a second run changes nothing', async () => {
    const { h, panel, fake } = await setUp();
    fake.remote.push(inbound('3', 'off', 'vmess', false));
    const first = await h.kit.targets.sync(panel.id, { capacity: 50 });
    expect(first.added.map((t) => [t.remoteRef, t.capacity, t.isDefault, t.remoteMeta])).toEqual([
      ['1', 50, true, { port: 1001 }],
      ['2', 50, false, { port: 1002 }],
    ]);
    expect(first).toMatchObject({ updated: [], retired: [], missing: [], total: 2 });
    const again = await h.kit.targets.sync(panel.id);
    expect(again).toMatchObject({ added: [], updated: [], retired: [], missing: [], total: 2 });
    expect((await auditOf(h, panel.id)).filter((e) => e.action === 'panel.targets_synced')).toHaveLength(1);
  });

  it('updates what the panel changed, keeps what the admin set, retires what vanished, and adds what is new', async () => {
    const { h, panel, fake } = await setUp();
    const { added } = await h.kit.targets.sync(panel.id, { capacity: 10 });
    const [vless, trojan] = added as [NonNullable<(typeof added)[0]>, NonNullable<(typeof added)[0]>];
    // The admin's own settings on the stored targets.
    await h.storage.targets.update(vless.id, { capacity: 999, tags: ['fast'], isDefault: false });
    await h.storage.targets.update(trojan.id, { isDefault: true });
    fake.remote = [{ ...inbound('1', 'vless renamed'), remoteMeta: { port: 2001 } }, inbound('4', 'new one')];
    h.clock.advance(1_000);

    const result = await h.kit.targets.sync(panel.id, { capacity: 20 });
    expect(result.added.map((t) => [t.remoteRef, t.capacity, t.isDefault])).toEqual([['4', 20, false]]);
    expect(result.updated.map((t) => [t.id, t.name, t.remoteMeta, t.capacity, t.tags, t.isDefault])).toEqual([
      [vless.id, 'vless renamed', { port: 2001 }, 999, ['fast'], false],
    ]);
    expect(result.retired.map((t) => [t.id, t.provisioningEnabled, t.isDefault])).toEqual([[trojan.id, false, true]]);
    expect(result.missing.map((t) => t.id)).toEqual([trojan.id]);
    expect(result.total).toBe(3);
    const [audit] = (await auditOf(h, panel.id)).filter((e) => e.action === 'panel.targets_synced');
    expect(audit?.data).toEqual({ added: 1, updated: 1, retired: 1, missing: 1 });

    // Disabled on the panel counts as gone; a retired target that returns stays off for the admin to turn on.
    fake.remote = [inbound('1', 'vless renamed', 'vless', false), inbound('2', 'trojan in', 'trojan'), inbound('4', 'new one')];
    const next = await h.kit.targets.sync(panel.id);
    expect(next.retired.map((t) => t.remoteRef)).toEqual(['1']);
    expect(next.missing.map((t) => t.remoteRef)).toEqual(['1']);
    expect((await h.storage.targets.get(trojan.id))?.provisioningEnabled).toBe(false);
  });

  it('stores only the targets `select` picks and leaves the others alone', async () => {
    const { h, panel, fake } = await setUp();
    const result = await h.kit.targets.sync(panel.id, { select: (all) => all.filter((t) => t.protocol === 'trojan') });
    expect(result.added.map((t) => [t.remoteRef, t.isDefault, t.capacity])).toEqual([['2', true, null]]);
    fake.remote = fake.remote.filter((t) => t.remoteRef !== '1');
    expect(await h.kit.targets.sync(panel.id, { select: (all) => all.filter((t) => t.protocol === 'trojan') })).toMatchObject({
      added: [],
      retired: [],
    });
  });

  it('stores nothing when the panel fails or the capacity is invalid, and says so with a typed error', async () => {
    const { h, panel, fake } = await setUp();
    fake.setDown(true);
    await expect(h.kit.targets.sync(panel.id)).rejects.toMatchObject({ code: 'PANEL_CONNECTION', retryable: true });
    fake.setDown(false);
    await expect(h.kit.targets.sync(panel.id, { capacity: -1 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(h.kit.targets.sync(panel.id, { capacity: 1.5 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(h.kit.targets.sync('pnl_missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.storage.targets.list({ panelId: panel.id })).toEqual([]);
  });
});

describe('kit.plans and kit.customers', () => {
  it('creates and updates plans through the schema, refusing unknown preferred targets, and audits both', async () => {
    const { h, panel } = await setUp();
    const [target] = (await h.kit.targets.sync(panel.id)).added;
    const plan = await h.kit.plans.create({
      name: 'Monthly',
      family: 'standard',
      price: { amount: 500, currency: 'USD' },
      durationDays: 30,
      trafficBytes: null,
      placement: { preferredTargetIds: [target?.id ?? ''] },
    });
    expect(plan).toMatchObject({ onSale: true, autoProvision: true, placement: { preferredTargetIds: [target?.id] } });
    h.clock.advance(1_000);
    const off = await h.kit.plans.update(plan.id, { onSale: false }, { type: 'admin', id: 'staff-1' });
    expect(off.onSale).toBe(false);
    expect((await auditOf(h, plan.id)).map((e) => [e.action, e.actor.id, e.data])).toEqual([
      ['plan.updated', 'staff-1', { name: 'Monthly', price: 500, onSale: false }],
      ['plan.created', null, { name: 'Monthly', price: 500, onSale: true }],
    ]);
    const before = (await h.storage.plans.list()).length;
    await expect(
      h.kit.plans.create({ name: 'x', family: 'f', price: { amount: -1, currency: 'USD' }, durationDays: 0, trafficBytes: null }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      h.kit.plans.create({
        name: 'x',
        family: 'f',
        price: { amount: 1, currency: 'USD' },
        durationDays: 1,
        trafficBytes: null,
        placement: { preferredTargetIds: ['tgt_nope'] },
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'placement.preferredTargetIds.0' }] });
    await expect(h.kit.plans.update(plan.id, { placement: { preferredTargetIds: ['tgt_nope'] } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(h.kit.plans.update(plan.id, { allocated: 3 } as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(h.kit.plans.update('pln_missing', { onSale: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.storage.plans.list()).length).toBe(before);
    expect((await h.storage.plans.get(plan.id))?.placement.preferredTargetIds).toEqual([target?.id]);
  });

  it('creates customers with defaults, refuses bad or taken emails, and gets one or says it is not there', async () => {
    const { h } = await setUp();
    const customer = await h.kit.customers.create({ email: 'buyer@example.com', name: 'Buyer' });
    expect(customer).toMatchObject({ email: 'buyer@example.com', locale: 'en', externalRef: null });
    expect(await h.kit.customers.get(customer.id)).toEqual(customer);
    await expect(h.kit.customers.create({ email: 'not an email' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(h.kit.customers.create({ email: 'buyer@example.com' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(h.kit.customers.get('cus_missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads a customer with its whole price book in one storage read, or says it is not there', async () => {
    const { h } = await setUp();
    const customer = await h.kit.customers.create({ name: 'Reseller' });
    expect(await h.kit.customers.withPriceBook(customer.id)).toEqual({ customer, priceBook: [], balances: [] });
    const plan = (await h.storage.plans.list())[0]!;
    const line = await h.kit.resellers.setPrice({ customerId: customer.id, planId: plan.id, price: { ...plan.price, amount: 1 } });
    const read = vi.spyOn(h.storage.customers, 'getWithPriceBook');
    expect(await h.kit.customers.withPriceBook(customer.id)).toEqual({ customer, priceBook: [line], balances: [] });
    expect(read).toHaveBeenCalledTimes(1);
    await expect(h.kit.customers.withPriceBook('cus_missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
