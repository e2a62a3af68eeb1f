import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liftGuardCase, listGuardCases, readGuardPolicy, saveGuardPolicy } from '../src/app/guard/guard-admin.js';
import { guardFormOf } from '../src/app/guard/guard-form.js';
import { ShopError } from '../src/app/shop-error.js';
import { notificationsOf } from '../src/db/notifications.js';
import { shopChannels, type ShopChannels } from '../src/stack/notification-channels.js';
import { notificationJobs } from '../src/app/notifications/notification-jobs.js';
import { adminGet, fundedBuyer, postForm } from './support/admin-support.js';
import { boughtAndProvisioned, planNamed } from './support/buying.js';
import { signedInAdmin, signedUpBuyer, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';
import { englishWordsIn } from './support/english-words.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { startMoneyShop } from './support/wallet-helpers.js';

const HOUR = 3_600_000;
const OWNER = { type: 'admin' as const, id: 'owner-test' };

let sink: SmtpSink;
let t: ShopUnderTest;
let channels: ShopChannels;
let admin: Visitor;
let support: Visitor & { email: string };

beforeAll(async () => {
  sink = await startSmtpSink();
  t = await startMoneyShop({ SMTP_URL: sink.url, MAIL_FROM: 'Test Shop <shop@example.com>', SHOP_NAME: 'Test Shop' });
  channels = shopChannels(t.shop);
  admin = await signedInAdmin(t.app);
  support = await signedUpBuyer(t.app);
  await t.shop.accounts.setRole((await t.shop.accounts.getByEmail(support.email))!.id, 'support');
  const saved = await t.shop.kit.guard.setPolicy(
    {
      enabled: true,
      steps: [
        { step: 'warn', graceHours: 1 },
        { step: 'limit', graceHours: 24 },
      ],
    },
    OWNER,
  );
  expect(saved.saved).toBe(true);
});
afterAll(async () => {
  channels.close();
  await t.close();
  await sink.close();
});

/** Runs every due job, the notices' and their deliveries on the shop's channels among them. */
const deliver = () => t.shop.kit.createWorker({ hostJobs: [...t.shop.hostJobs, ...notificationJobs(t.shop, channels.list)] }).drain();

/** One over reading an hour for `hours` hours, as the guard's read job records them. */
async function overHourly(subscriptionId: string, hours: number): Promise<void> {
  for (let i = 0; i < hours; i++) {
    t.clock.advance(HOUR);
    await t.shop.storage.guard.recordReadings([{ subscriptionId, at: t.clock.now(), prefixes: 9, over: true }], 24);
  }
}

/** A buyer (reading `locale`) with a provisioned subscription. */
async function buyerWithSubscription(locale: 'en' | 'fa') {
  const b = await fundedBuyer(t, t.app, 10_000);
  await t.shop.storage.customers.update(b.customerId, { locale });
  const id = await boughtAndProvisioned(t, b, (await planNamed(t, 'Frankfurt · 1 month · 50')).id);
  await deliver();
  return { b, id };
}

const mailsTo = (email: string) => sink.received.filter((m) => m.to.includes(email));

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ShopError);
  return `${(error as ShopError).code}:${(error as ShopError).messageKey}`;
}

describe('the guard use cases', () => {
  it('refuse buyers everything; support staff read and lift but never set the policy', async () => {
    const form = guardFormOf((await t.shop.kit.guard.policy()).policy);
    const version = (await t.shop.kit.guard.policy()).version;
    expect(await refusal(listGuardCases(t.shop, 'buyer', 'warn', null))).toBe('forbidden:guard.errors.staffOnly');
    expect(await refusal(readGuardPolicy(t.shop, 'buyer'))).toBe('forbidden:guard.errors.staffOnly');
    expect(await refusal(liftGuardCase(t.shop, 'buyer', OWNER, 'sub_x', 'no'))).toBe('forbidden:guard.errors.staffOnly');
    expect(await refusal(saveGuardPolicy(t.shop, 'support', OWNER, { ...form, enabled: false }, version))).toBe(
      'forbidden:staff.ownersOnly',
    );
    expect((await t.shop.kit.guard.policy()).version).toBe(version);
    expect((await listGuardCases(t.shop, 'support', 'warn', null)).items).toBeInstanceOf(Array);
    expect(await refusal(liftGuardCase(t.shop, 'support', OWNER, 'sub_none', 'no'))).toBe('not_found:guard.errors.noCase');

    const page = await adminGet(support, '/admin/guard');
    expect(page.html).toContain('data-testid="guard-policy-owner"');
    expect(page.html).not.toContain('data-testid="guard-policy-form"');
    await postForm(support, '/admin/guard/policy', { version: String(version), windowHours: '24' }).expect(403);
    const buyer = await signedUpBuyer(t.app);
    await buyer.agent.get('/admin/guard').expect(403);
  });
});

describe('/admin/guard', () => {
  it('warns once in the buyer’s language, limits, shows the case with its counts and the buyer’s line, and a lift undoes it', async () => {
    const { b, id } = await buyerWithSubscription('fa');
    await overHourly(id, 4);
    expect(await t.shop.kit.guard.evaluateNow()).toMatchObject({ stepped: 1 });
    // A second pass, and a second worker run: the step and its notice are once.
    expect(await t.shop.kit.guard.evaluateNow()).toMatchObject({ stepped: 0 });
    await deliver();
    await deliver();
    const history = await notificationsOf(t.shop).history(b.customerId, { limit: 50 });
    expect(history.items.filter((n) => n.kind === 'sharing_warned')).toHaveLength(1);
    const warned = mailsTo(b.email).filter((m) => m.subject.includes('به نظر می‌رسد اشتراک شما'));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.text).toContain('به پشتیبانی پیام دهید');

    const warnPage = await adminGet(admin, '/admin/guard');
    expect(warnPage.html).toContain(`data-testid="guard-lift-${id}"`);
    expect((await b.agent.get(`/subscriptions/${id}`).expect(200)).text).not.toContain('data-testid="guard-note"');

    await overHourly(id, 4);
    expect(await t.shop.kit.guard.evaluateNow()).toMatchObject({ stepped: 1 });
    await deliver();
    expect((await notificationsOf(t.shop).history(b.customerId, { limit: 50 })).items.map((n) => n.kind)).toContain('sharing_limited');
    expect((await b.agent.get(`/subscriptions/${id}`).expect(200)).text).toContain('data-testid="guard-note"');

    const page = await adminGet(admin, '/admin/guard');
    const limited = page.html.slice(page.html.indexOf('data-testid="guard-cases-limit"'));
    expect(limited).toContain(`/admin/subscriptions/${id}`);
    // Counts and networks, never an address.
    expect(limited).toMatch(/\d+ of \d+ readings over, up to 9 networks at once/);
    expect(page.html).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b/);

    await postForm({ agent: admin.agent, csrf: page.csrf }, `/admin/guard/cases/${id}/lift`, { note: 'a family of four' })
      .expect(303)
      .expect('location', '/admin/guard?done=guard.lifted');
    const [lifted] = await t.shop.storage.guard.cases([id]);
    expect(lifted).toMatchObject({ step: 'watching', liftedBy: expect.any(String) });
    const audit = await t.shop.storage.audit.list({ subjectType: 'subscription', subjectId: id }, { limit: 50 });
    expect(audit.items.find((e) => e.action === 'guard.lifted')?.data).toMatchObject({ evidence: { note: 'a family of four' } });
    expect((await adminGet(admin, '/admin/guard?done=guard.lifted')).html).toContain('Case lifted');
    expect((await b.agent.get(`/subscriptions/${id}`).expect(200)).text).not.toContain('data-testid="guard-note"');
    // A second lift of the same case finds nothing open.
    await postForm({ agent: admin.agent, csrf: page.csrf }, `/admin/guard/cases/${id}/lift`, { note: 'again' }).expect(404);
  });

  it('the policy form: a refused value is shown as typed with its message on its field and nothing stored; a good one round-trips', async () => {
    const before = await t.shop.kit.guard.policy();
    const page = await adminGet(admin, '/admin/guard');
    expect(page.html).toContain('data-testid="guard-policy-form"');
    expect(page.html).toContain('id="f-windowHours" name="windowHours" type="text" value="24"');
    const form = {
      version: String(before.version),
      enabled: 'on',
      windowHours: '500',
      overReadings: '3',
      spanHours: '2',
      overFraction: '0.5',
      slackRegistry: '0',
      slackLive: '1',
      slackWindowed: '2',
      absoluteThreshold: '5',
      limitDevices: '2',
      liftAfterCleanHours: '',
      step_warn: 'on',
      grace_warn: '6',
      step_suspend: 'on',
      grace_suspend: '12',
    };
    const refused = await postForm({ agent: admin.agent, csrf: page.csrf }, '/admin/guard/policy', form).expect(400);
    expect(refused.text).toMatch(/id="f-windowHours" name="windowHours" type="text" value="500"[^>]*aria-invalid="true"/);
    expect(refused.text).toContain('id="f-windowHours-error">Enter a value in the range shown.');
    expect(refused.text).not.toContain('id="f-overReadings-error"');
    expect(await t.shop.kit.guard.policy()).toEqual(before);

    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    await postForm({ agent: admin.agent, csrf: page.csrf }, '/admin/guard/policy', {
      ...form,
      windowHours: '۴۸',
      exemptPlans: [plan.id],
    })
      .expect(303)
      .expect('location', '/admin/guard?done=guard.policy_saved');
    const after = await t.shop.kit.guard.policy();
    expect(after.version).toBe(before.version + 1);
    expect(after.policy).toMatchObject({
      enabled: true,
      windowHours: 48,
      liftAfterCleanHours: null,
      steps: [
        { step: 'warn', graceHours: 6 },
        { step: 'suspend', graceHours: 12 },
      ],
      exemptPlans: [plan.id],
    });
    const again = await adminGet(admin, '/admin/guard?done=guard.policy_saved');
    expect(again.html).toContain('Guard policy saved.');
    expect(again.html).toContain('id="f-windowHours" name="windowHours" type="text" value="48"');
    // The form filled from an older version is refused: the edit saved meanwhile is kept.
    await postForm({ agent: admin.agent, csrf: page.csrf }, '/admin/guard/policy', { ...form, windowHours: '24' }).expect(409);
  });

  it('says which panels report addresses and shows refused trials beside the cases, in every shop language, no English left', async () => {
    const page = await adminGet(admin, '/admin/guard');
    // The shop's own data (panel and plan names, panel kinds, e-mail addresses) stays as the owner wrote it.
    const panels = await t.shop.storage.panels.list();
    const data = ['Test Shop', ...panels.flatMap((p) => [p.name, p.kind]), ...(await t.shop.storage.plans.list()).map((p) => p.name)];
    expect(page.html).toContain('data-testid="guard-signals"');
    // A panel reporting no client addresses (the simulated 3x-ui here) is read through the devices on the buyer's link.
    let registry = 0;
    for (const panel of panels) {
      const { capabilities } = await t.shop.kit.panels.adapter(panel.id);
      const shown = capabilities.clientAddresses === undefined ? 'Devices on the buyer&#39;s link' : 'Client addresses';
      if (capabilities.clientAddresses === undefined) registry++;
      expect(page.html).toMatch(new RegExp(`data-testid="guard-signal-${panel.id}">${shown}`));
    }
    expect(registry).toBeGreaterThan(0);
    expect(page.html).toMatch(/data-testid="guard-trials(-none)?"/);
    for (const [lang, title] of [
      ['fa', 'محافظ اشتراک‌گذاری'],
      ['ru', 'Защита от совместного доступа'],
      ['zh', '共享防护'],
    ] as const) {
      await admin.agent.get(`/lang/${lang}?next=/admin`).expect(303);
      const html = (await admin.agent.get('/admin/guard').expect(200)).text;
      expect(html).toContain(title);
      const main = html.slice(html.indexOf('<main'), html.indexOf('</main>')).replace(/<[^>]*>|&[#\w]+;/g, ' ');
      expect(englishWordsIn(main, data), lang).toEqual([]);
    }
    await admin.agent.get('/lang/en?next=/admin').expect(303);
  });
});
