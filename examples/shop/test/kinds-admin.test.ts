/**
 * Issue 92: the owner's plan form says what a plan sells ("What it sells": Xray, WireGuard, AmneziaWG, Telegram
 * proxy → `Plan.kinds`, at least one), shows the SDK's refusal of a combination on that field (400, nothing saved),
 * and warns when no target serves a chosen kind; the panel's target list and a target's page show its kinds.
 */
import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet, postForm } from './support/admin-support.js';
import { signedInAdmin, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let admin: Visitor;
beforeAll(async () => {
  t = await startShop();
  admin = await signedInAdmin(t.app);
});
afterAll(() => t.close());

type Body = Record<string, string | string[]>;

const planForm = (name: string, kinds: string[] | null): Body => ({
  name,
  family: name.toLowerCase().replace(/\W+/g, '-'),
  price: '4.00',
  durationDays: '30',
  extensionWindowDays: '3',
  trafficOnExtend: 'replace',
  daysOnExtend: 'stack',
  autoProvision: 'on',
  renewable: 'on',
  onSale: 'on',
  ...(kinds === null ? {} : { kindsShown: '1', kinds }),
});

async function planByName(name: string): Promise<Plan | undefined> {
  return (await t.shop.storage.plans.list()).find((p) => p.name === name);
}

const checkedKinds = (html: string) =>
  [...html.matchAll(/name="kinds" value="([a-z]+)" data-testid="plan-kind-[a-z]+" checked/g)].map((m) => m[1]);
const kindsError = (html: string) => /data-testid="plan-kinds-error">([^<]*)</.exec(html)?.[1];

describe('"What it sells" on the plan form', () => {
  it('offers the four kinds, Xray ticked for a new plan', async () => {
    const { html } = await adminGet(admin, '/admin/plans/new');
    for (const kind of ['xray', 'wireguard', 'amneziawg', 'mtproto']) expect(html).toContain(`data-testid="plan-kind-${kind}"`);
    expect(checkedKinds(html)).toEqual(['xray']);
  });

  it('saves the ticked kinds, shows them ticked again, and warns about kinds no target serves', async () => {
    const res = await postForm(admin, '/admin/plans', planForm('WG and Telegram', ['wireguard', 'mtproto']));
    expect(res.status, res.text.slice(0, 1000)).toBe(303);
    const plan = (await planByName('WG and Telegram'))!;
    expect(plan.kinds).toEqual(['wireguard', 'mtproto']);
    const { html } = await adminGet(admin, `/admin/plans/${plan.id}/edit`);
    expect(checkedKinds(html)).toEqual(['wireguard', 'mtproto']);
    // The demo's targets are Xray inbounds: neither kind can be placed yet.
    expect(/data-testid="plan-kinds-unserved" data-kinds="([^"]*)"/.exec(html)?.[1]).toBe('wireguard mtproto');
    expect(html).toContain('WireGuard, Telegram proxy');
  });

  it('stops warning about a kind once a target serves it, and shows each target’s kinds', async () => {
    const [target] = await t.shop.storage.targets.list();
    await t.shop.storage.targets.update(target!.id, { kinds: ['xray', 'wireguard'] });
    const plan = (await planByName('WG and Telegram'))!;
    const { html } = await adminGet(admin, `/admin/plans/${plan.id}/edit`);
    expect(/data-testid="plan-kinds-unserved" data-kinds="([^"]*)"/.exec(html)?.[1]).toBe('mtproto');
    const panelPage = (await adminGet(admin, `/admin/panels/${target!.panelId}`)).html;
    const row = new RegExp(`data-target-id="${target!.id}"[\\s\\S]*?</tr>`).exec(panelPage)?.[0] ?? '';
    expect(row).toContain('data-testid="target-kinds" data-kinds="xray wireguard"');
    const targetPage = (await adminGet(admin, `/admin/panels/${target!.panelId}/targets/${target!.id}`)).html;
    expect(targetPage).toContain('data-kinds="xray wireguard"');
    expect(targetPage).toContain('>WireGuard</span>');
    await t.shop.storage.targets.update(target!.id, { kinds: ['xray'] });
  });

  it('refuses a plan with no kind ticked on the field, with a 400, saving nothing', async () => {
    const before = (await t.shop.storage.plans.list()).length;
    const res = await postForm(admin, '/admin/plans', planForm('Sells nothing', []));
    expect(res.status).toBe(400);
    expect(kindsError(res.text)).toBe('Tick at least one kind.');
    expect((await t.shop.storage.plans.list()).length).toBe(before);
  });

  it('keeps a plan’s kinds when a post never showed the boxes, and sells Xray for a new one', async () => {
    expect((await postForm(admin, '/admin/plans', planForm('Old client', null))).status).toBe(303);
    expect((await planByName('Old client'))!.kinds).toEqual(['xray']);
    const wg = (await planByName('WG and Telegram'))!;
    const edited = await postForm(admin, `/admin/plans/${wg.id}/edit`, { ...planForm('WG and Telegram', null), price: '5.00' });
    expect(edited.status).toBe(303);
    expect((await planByName('WG and Telegram'))!).toMatchObject({ kinds: ['wireguard', 'mtproto'], price: { amount: 500 } });
  });

  it.each([
    [
      'a bundle with family seats',
      { ...planForm('Family bundle', ['xray', 'wireguard']), seats: '3' },
      ['xray', 'wireguard'],
      'A plan selling several kinds cannot have family seats: keep one kind, or remove the seats.',
    ],
    [
      'a bundle that starts on first use',
      { ...planForm('First-use bundle', ['wireguard', 'mtproto']), startOnFirstUse: 'on' },
      ['wireguard', 'mtproto'],
      'A plan selling several kinds cannot start on first use: keep one kind, or untick the start on first use.',
    ],
    [
      'extra devices on a plan without Xray',
      { ...planForm('WG with devices', ['wireguard']), deviceLimit: '2', devicePackPrice: '1.00', devicePackMax: '2' },
      ['wireguard'],
      'Extra devices are counted only for Xray: tick Xray, or remove the extra devices.',
    ],
  ])('shows the SDK’s refusal of %s on "What it sells", with a 400, saving nothing', async (_case, body, ticked, message) => {
    const before = (await t.shop.storage.plans.list()).length;
    const res = await postForm(admin, '/admin/plans', body as Body);
    expect(res.status).toBe(400);
    expect(kindsError(res.text)).toBe(message);
    expect(checkedKinds(res.text)).toEqual(ticked);
    expect((await t.shop.storage.plans.list()).length).toBe(before);
  });

  it('shows the SDK’s refusal on an edit too, leaving the plan as it was', async () => {
    const plan = (await planByName('WG and Telegram'))!;
    const res = await postForm(admin, `/admin/plans/${plan.id}/edit`, {
      ...planForm('WG and Telegram', ['wireguard', 'mtproto']),
      seats: '2',
    });
    expect(res.status).toBe(400);
    expect(kindsError(res.text)).toContain('family seats');
    expect((await planByName('WG and Telegram'))!).toMatchObject({ kinds: ['wireguard', 'mtproto'], sharing: null });
  });
});
