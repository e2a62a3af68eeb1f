import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet, postForm } from './support/admin-support.js';
import { signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let admin: Visitor;
let tag: string;
/** The shop's log lines at warn level and above (an unexpected error is logged at `error`, 50). */
const logged: { level: number; msg: string }[] = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n')) if (line !== '') logged.push(JSON.parse(line) as { level: number; msg: string });
    done();
  },
});
beforeAll(async () => {
  t = await startShop({ logger: pino({ level: 'warn' }, logSink) });
  admin = await signedInAdmin(t.app);
  tag = (await t.shop.storage.panels.list()).flatMap((p) => p.locationTags)[0]!;
});
afterAll(() => t.close());

describe('/admin/locations', () => {
  it('lists the panels’ tags, names one (audited), and its form is filled to edit it', async () => {
    const page = await adminGet(admin, '/admin/locations');
    expect(page.html).toContain('data-testid="locations-table"');
    expect(page.html).toContain(tag);
    await postForm({ agent: admin.agent, csrf: page.csrf }, '/admin/locations', {
      location: tag,
      country: 'de',
      name: ' Frankfurt am Main ',
    })
      .expect(303)
      .expect('location', '/admin/locations?done=locations.saved');
    expect(await t.shop.kit.locations.list()).toContainEqual({ location: tag, country: 'DE', name: 'Frankfurt am Main' });
    const audit = await t.shop.storage.audit.list({ subjectType: 'location', subjectId: tag }, { limit: 5 });
    expect(audit.items.map((a) => a.action)).toEqual(['location.named']);
    const edit = await adminGet(admin, `/admin/locations?location=${tag}`);
    expect(edit.html).toContain('value="Frankfurt am Main"');
    expect((await adminGet(admin, '/admin/locations?done=locations.saved')).html).toContain('Location saved.');
  });

  it('bad input is a 400 naming the field, and changes nothing', async () => {
    const before = await t.shop.kit.locations.list();
    for (const [body, message] of [
      [{ location: tag, country: 'QQ', name: 'Nowhere' }, 'two-letter ISO country code'],
      // Not two letters: refused on the field before the country's name is looked up (that lookup threw: a 500).
      [{ location: tag, country: 'ZZZ9', name: 'Nowhere' }, 'two-letter ISO country code'],
      [{ location: tag, country: 'd3', name: 'Nowhere' }, 'two-letter ISO country code'],
      [{ location: tag, country: 'DE', name: '   ' }, 'name of 1 to 100 characters'],
      [{ location: 'no-such-tag', country: 'DE', name: 'Ghost' }, 'location tag one of your panels carries'],
      [{ location: tag, country: 'DE', name: 'x'.repeat(150) }, 'name of 1 to 100 characters'],
    ] as const) {
      const page = await adminGet(admin, '/admin/locations');
      const res = await postForm({ agent: admin.agent, csrf: page.csrf }, '/admin/locations', body).expect(400);
      expect(res.text).toContain(message);
    }
    expect(await t.shop.kit.locations.list()).toEqual(before);
    expect(logged.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('speaks every shop language and refuses support staff and buyers', async () => {
    for (const [lang, title] of [
      ['fa', 'موقعیت‌ها'],
      ['ru', 'Локации'],
      ['zh', '位置'],
    ] as const) {
      await admin.agent.get(`/lang/${lang}?next=/admin`).expect(303);
      const res = await admin.agent.get('/admin/locations').expect(200);
      expect(res.text).toContain(title);
    }
    await admin.agent.get('/lang/en?next=/admin').expect(303);
    const staff = await signedUpBuyer(t.app);
    await t.shop.accounts.setRole((await t.shop.accounts.getByEmail(staff.email))!.id, 'support');
    const buyer = await signedUpBuyer(t.app);
    for (const v of [staff, buyer]) {
      await v.agent.get('/admin/locations').expect(403);
      await v.agent.post('/admin/locations').type('form').send({ _csrf: v.csrf, location: tag, country: 'DE', name: 'x' }).expect(403);
    }
  });
});
