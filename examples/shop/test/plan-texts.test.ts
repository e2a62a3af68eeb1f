import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTextsOf } from '../src/db/plan-texts.js';
import { adminGet, postForm } from './support/admin-support.js';
import { boughtAndProvisioned, fund, planNamed } from './support/buying.js';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let admin: Visitor;

beforeAll(async () => {
  t = await startShop();
  admin = await signedInAdmin(t.app);
});
afterAll(() => t.close());

type Body = Record<string, string | string[]>;

const plan = (extra: Body = {}): Body => ({
  name: 'Berlin month',
  family: 'berlin',
  description: 'Fast and simple',
  price: '4',
  durationDays: '30',
  trafficGiB: '50',
  deviceLimit: '',
  maxClients: '',
  allowedLocations: '',
  autoProvision: 'on',
  renewable: 'on',
  onSale: 'on',
  trialDays: '',
  trialGiB: '',
  extensionWindowDays: '3',
  trafficOnExtend: 'replace',
  daysOnExtend: 'stack',
  name_en: '',
  description_en: '',
  name_fa: '',
  description_fa: '',
  ...extra,
});

async function createPlan(body: Body): Promise<string> {
  await postForm(admin, '/admin/plans', body).expect(303);
  const created = (await t.shop.storage.plans.list()).find((p) => p.name === body['name']);
  if (created === undefined) throw new Error('plan not created');
  return created.id;
}

describe('plan names and descriptions per language', () => {
  it('shows a buyer reading Farsi the Farsi name and description, and English readers the plan’s own', async () => {
    const id = await createPlan(plan({ name_fa: 'برلین ماهانه', description_fa: 'سریع و ساده' }));
    expect(await planTextsOf(t.shop, id)).toEqual({ fa: { name: 'برلین ماهانه', description: 'سریع و ساده' } });
    const buyer = await signedUpBuyer(t.app);
    const en = await buyer.agent.get('/').expect(200);
    expect(en.text).toContain('Berlin month');
    expect(en.text).not.toContain('برلین ماهانه');
    await buyer.agent.get('/lang/fa?next=/').expect(303);
    const fa = await buyer.agent.get('/').expect(200);
    expect(fa.text).toContain('برلین ماهانه');
    expect(fa.text).toContain('سریع و ساده');
    expect(fa.text).not.toContain('Berlin month');
    expect((await buyer.agent.get(`/checkout/${id}`).expect(200)).text).toContain('برلین ماهانه');
    // A plan without Farsi texts keeps its own name on the Farsi page; the demo's plans come with Farsi names.
    await createPlan(plan({ name: 'Berlin plain', family: 'berlin-plain' }));
    const again = await buyer.agent.get('/').expect(200);
    expect(again.text).toContain('Berlin plain');
    expect(again.text).toContain('فرانکفورت · یک ماه · ۵۰ گیگابایت');
    expect(again.text).not.toContain((await planNamed(t, 'Frankfurt · 1 month · 50')).name);
  });

  it('names the plan in the buyer’s language on the dashboard, the subscription and the wallet history', async () => {
    const id = await createPlan(plan({ name: 'Paris week', family: 'paris', durationDays: '7', name_fa: 'پاریس هفتگی' }));
    const buyer = await signedUpBuyer(t.app);
    await fund(t, buyer.email, 10_000);
    const sub = await boughtAndProvisioned(t, buyer, id);
    await buyer.agent.get('/lang/fa?next=/').expect(303);
    for (const path of ['/dashboard', `/subscriptions/${sub}`, '/wallet']) {
      const page = await buyer.agent.get(path).expect(200);
      expect({ path, has: page.text.includes('پاریس هفتگی') }).toEqual({ path, has: true });
    }
  });

  it('keeps the texts on edit, drops a cleared language, and refuses a description without a name', async () => {
    const id = await createPlan(plan({ name: 'Rome month', family: 'rome', name_fa: 'رم ماهانه' }));
    const form = await adminGet(admin, `/admin/plans/${id}/edit`);
    expect(form.html).toContain('value="رم ماهانه"');
    const refused = await postForm(
      admin,
      `/admin/plans/${id}/edit`,
      plan({ name: 'Rome month', family: 'rome', name_fa: '', description_fa: 'فقط توضیح' }),
    );
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('id="f-name_fa-error"');
    expect(await planTextsOf(t.shop, id)).toEqual({ fa: { name: 'رم ماهانه', description: null } });
    await postForm(admin, `/admin/plans/${id}/edit`, plan({ name: 'Rome month', family: 'rome' })).expect(303);
    expect(await planTextsOf(t.shop, id)).toEqual({});
  });
});

describe('preferred targets in order', () => {
  it('saves the choices in the order given and shows them back in that order', async () => {
    const targets = await t.shop.storage.targets.list();
    expect(targets.length).toBeGreaterThanOrEqual(2);
    const [first, second] = [targets[1]!.id, targets[0]!.id];
    const id = await createPlan(plan({ name: 'Ordered', family: 'ordered', preferredTargetIds: [first, '', second] }));
    expect((await t.shop.storage.plans.get(id))!.placement.preferredTargetIds).toEqual([first, second]);
    const form = await adminGet(admin, `/admin/plans/${id}/edit`);
    const selected = [...form.html.matchAll(/data-testid="preferred-target-(\d+)"[\s\S]*?<\/select>/g)].map(
      (m) => /<option value="([^"]*)" selected/.exec(m[0])?.[1] ?? '',
    );
    expect(selected.slice(0, 2)).toEqual([first, second]);
    expect(selected.slice(2).every((v) => v === '')).toBe(true);
  });

  it('refuses the same target chosen twice, saving nothing', async () => {
    const target = (await t.shop.storage.targets.list())[0]!.id;
    const before = await t.shop.storage.plans.list();
    const res = await postForm(admin, '/admin/plans', plan({ name: 'Twice', family: 'twice', preferredTargetIds: [target, target] }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('Each target may be chosen once.');
    expect(await t.shop.storage.plans.list()).toEqual(before);
  });
});
