import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm } from './support/admin-support.js';
import { signedInAdmin, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let admin: Visitor;

beforeAll(async () => {
  t = await startShop();
  admin = await signedInAdmin(t.app);
});
afterAll(() => t.close());

/** Everything an admin form could write. */
async function snapshot() {
  const s = t.shop.storage;
  return {
    panels: await s.panels.list(),
    targets: await s.targets.list(),
    plans: await s.plans.list(),
    audit: (await s.audit.list({}, { limit: 1000 })).items.length,
    jobs: (await s.jobs.list({}, { limit: 1000 })).items.length,
  };
}

type Body = Record<string, string | string[]>;

/** Posts each body; every answer is a 400 page that names the field, and nothing is written. */
async function refusesAll(path: string, bodies: Array<[Body, string]>) {
  const before = await snapshot();
  for (const [body, fieldName] of bodies) {
    const res = await postForm(admin, path, body);
    expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
    expect(res.text, JSON.stringify(body)).toMatch(new RegExp(`id="f-${fieldName}-error"`));
    expect(res.text).toContain('name="_csrf"');
  }
  expect(await snapshot()).toEqual(before);
}

const goodPanel = (): Body => ({
  kind: '3x-ui',
  name: 'Form test panel',
  baseUrl: 'https://panel.example.com:2053/abc/',
  username: 'admin',
  password: 'pw-123456',
  token: '',
  locationTags: 'de',
  subscriptionBaseUrl: '',
  linkHost: '',
  enabled: 'on',
  intent: 'save',
});

const goodPlan = (): Body => ({
  name: 'Form plan',
  family: 'form',
  description: '',
  price: '5',
  durationDays: '30',
  trafficGiB: '',
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
});

describe('malformed admin input', () => {
  it('the panel form: 400 with the field message, values kept, secrets not echoed, nothing stored', async () => {
    await refusesAll('/admin/panels', [
      [{ ...goodPanel(), kind: 'wireguard' }, 'kind'],
      [{ ...goodPanel(), name: '' }, 'name'],
      [{ ...goodPanel(), name: ['a', 'b'] }, 'name'],
      [{ ...goodPanel(), baseUrl: 'ftp://panel.example.com/' }, 'baseUrl'],
      [{ ...goodPanel(), baseUrl: 'not a url' }, 'baseUrl'],
      [{ ...goodPanel(), baseUrl: 'https://admin:pw-123456@panel.example.com/' }, 'baseUrl'],
      [{ ...goodPanel(), locationTags: 'de, Not A Tag!' }, 'locationTags'],
      [{ ...goodPanel(), subscriptionBaseUrl: 'javascript:alert(1)' }, 'subscriptionBaseUrl'],
      [{ ...goodPanel(), kind: 's-ui', token: '' }, 'token'],
      [{ ...goodPanel(), kind: 'marzban', password: '' }, 'password'],
      [{ ...goodPanel(), kind: 'marzneshin', username: '' }, 'username'],
      [{ ...goodPanel(), username: '', password: '' }, 'username'],
      [{ ...goodPanel(), name: 'Frankfurt (simulated 3x-ui)' }, 'name'],
      [{ ...goodPanel(), name: 'x'.repeat(201) }, 'name'],
    ]);
    const res = await postForm(admin, '/admin/panels', { ...goodPanel(), baseUrl: 'nope' });
    expect(res.text).toContain('value="Form test panel"');
    expect(res.text).not.toContain('pw-123456');
    expect(res.text).toContain('Enter a full address');
  });

  it('the panel edit, sync and enable forms', async () => {
    const panel = (await t.shop.storage.panels.list()).find((p) => p.name.startsWith('Frankfurt'))!;
    await refusesAll(`/admin/panels/${panel.id}/edit`, [
      [{ ...goodPanel(), name: '' }, 'name'],
      [{ ...goodPanel(), baseUrl: 'http://' }, 'baseUrl'],
      [{ ...goodPanel(), locationTags: '-bad' }, 'locationTags'],
      [{ ...goodPanel(), name: 'Amsterdam (simulated 3x-ui)' }, 'name'],
    ]);
    const before = await snapshot();
    const sync = await postForm(admin, `/admin/panels/${panel.id}/sync`, { capacity: '-5' });
    expect(sync.status).toBe(400);
    expect(sync.text).toContain('data-testid="sync-error"');
    expect((await postForm(admin, `/admin/panels/${panel.id}/enabled`, { enabled: 'maybe' })).status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('the target form', async () => {
    const target = (await t.shop.storage.targets.list())[0]!;
    await refusesAll(`/admin/panels/${target.panelId}/targets/${target.id}`, [
      [{ capacity: 'lots', tags: '' }, 'capacity'],
      [{ capacity: '-1', tags: '' }, 'capacity'],
      [{ capacity: '1.5', tags: '' }, 'capacity'],
      [{ capacity: '10', tags: 'UPPER CASE, ok' }, 'tags'],
    ]);
    // A target of another panel is not found under this one.
    const other = (await t.shop.storage.panels.list()).find((p) => p.id !== target.panelId)!;
    expect((await admin.agent.get(`/admin/panels/${other.id}/targets/${target.id}`)).status).toBe(404);
  });

  it('the plan form: shape errors and the SDK rules land on their fields', async () => {
    const unknownTarget = 'tgt_doesnotexist';
    await refusesAll('/admin/plans', [
      [{ ...goodPlan(), name: '' }, 'name'],
      [{ ...goodPlan(), family: '' }, 'family'],
      [{ ...goodPlan(), price: 'five' }, 'price'],
      [{ ...goodPlan(), price: '5.123' }, 'price'],
      [{ ...goodPlan(), price: '-5' }, 'price'],
      [{ ...goodPlan(), durationDays: '0' }, 'durationDays'],
      [{ ...goodPlan(), durationDays: '4000' }, 'durationDays'],
      [{ ...goodPlan(), durationDays: 'thirty' }, 'durationDays'],
      [{ ...goodPlan(), trafficGiB: 'lots' }, 'trafficGiB'],
      [{ ...goodPlan(), deviceLimit: '0' }, 'deviceLimit'],
      [{ ...goodPlan(), maxClients: '-3' }, 'maxClients'],
      [{ ...goodPlan(), allowedLocations: 'de, <script>' }, 'allowedLocations'],
      [{ ...goodPlan(), preferredTargetIds: [unknownTarget] }, 'preferredTargetIds'],
      [{ ...goodPlan(), trialDays: '0' }, 'trialDays'],
      [{ ...goodPlan(), trialGiB: '1' }, 'trialDays'],
      [{ ...goodPlan(), extensionWindowDays: 'soon' }, 'extensionWindowDays'],
      [{ ...goodPlan(), trafficOnExtend: 'double' }, 'trafficOnExtend'],
      [{ ...goodPlan(), daysOnExtend: '' }, 'daysOnExtend'],
      [{ ...goodPlan(), description: 'x'.repeat(2001) }, 'description'],
    ]);
    const res = await postForm(admin, '/admin/plans', { ...goodPlan(), durationDays: '0', name: 'Kept <b>name</b>' });
    expect(res.text).toContain('value="Kept &lt;b&gt;name&lt;/b&gt;"');
    expect(res.text).toMatch(/id="f-durationDays-error">At least 1\./);
    const plan = (await t.shop.storage.plans.list())[0]!;
    await refusesAll(`/admin/plans/${plan.id}/edit`, [
      [{ ...goodPlan(), price: '' }, 'price'],
      [{ ...goodPlan(), durationDays: '0' }, 'durationDays'],
    ]);
  });

  it('actions with bad fields, and odd filters, never 500', async () => {
    const before = await snapshot();
    const sub = 'sub_aaaaaaaaaaaaaaaaaaaa';
    expect((await postForm(admin, `/admin/subscriptions/${sub}/suspend`, { reason: 'x'.repeat(501) })).status).toBe(400);
    expect((await postForm(admin, `/admin/subscriptions/${sub}/suspend`, { reason: ['a', 'b'] })).status).toBe(400);
    for (const path of [
      '/admin/audit?actor=robot&subjectType=%00&cursor=garbage',
      '/admin/orders?status=lost&cursor=zzz',
      `/admin/audit?subjectId=${'x'.repeat(400)}`,
    ]) {
      const res = await admin.agent.get(path);
      expect({ path, status: res.status }).not.toEqual({ path, status: 500 });
      expect(res.status).toBeLessThan(500);
    }
    expect(await snapshot()).toEqual(before);
  });
});
