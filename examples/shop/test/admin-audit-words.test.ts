import type { Plan } from '@panelkit/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet, fundedBuyer, postForm } from './support/admin-support.js';
import { planNamed } from './support/buying.js';
import { ADMIN, signedInAdmin, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

let t: ShopUnderTest;
let admin: Visitor;
let plan: Plan;
beforeAll(async () => {
  t = await startShop();
  admin = await signedInAdmin(t.app);
  plan = await planNamed(t, 'Frankfurt · 1 month · 50');
});
afterAll(() => t.close());

/** The table rows of the audit (the raw `<details>` taken out), as the admin reads them. */
function rowsInWords(pageHtml: string): string[] {
  return [...pageHtml.matchAll(/<tr data-testid="audit-row">([\s\S]*?)<\/tr>/g)].map((m) =>
    (m[1] as string).replace(/<details[\s\S]*?<\/details>/g, ''),
  );
}

async function suspendedSubscription(): Promise<{ subId: string; email: string }> {
  const buyer = await fundedBuyer(t, t.app, 2000);
  const { subscriptions } = await t.shop.kit.checkout({
    customerId: buyer.customerId,
    items: [{ planId: plan.id }],
    idempotencyKey: `words-${buyer.email}`,
  });
  await t.drain();
  const sub = subscriptions[0]!;
  const page = await adminGet(admin, `/admin/subscriptions/${sub.id}`);
  await postForm({ agent: admin.agent, csrf: page.csrf }, `/admin/subscriptions/${sub.id}/suspend`, { reason: 'abuse report' }).expect(303);
  return { subId: sub.id, email: buyer.email };
}

describe('the audit in words', () => {
  it('shows the subscription trail as sentences naming the admin by email, with the raw event behind <details>', async () => {
    const { subId } = await suspendedSubscription();
    const adminAccount = await t.shop.accounts.getByEmail(ADMIN.email);
    const page = await adminGet(admin, `/admin/subscriptions/${subId}`);
    const rows = rowsInWords(page.html);
    expect(rows.join('\n')).toContain(`Subscription suspended by ${ADMIN.email}: “abuse report”`);
    expect(rows.join('\n')).toContain('Subscription provisioned by Worker');
    for (const row of rows) {
      expect(row).not.toContain(adminAccount!.id);
      expect(row).not.toMatch(/subscription\.[a-z_]+/);
      expect(row).not.toContain('{&quot;');
    }
    // Support still has the raw event.
    expect(page.html).toMatch(
      /<details data-testid="audit-raw"><summary>Raw event \(for support\)<\/summary><code class="ltr">[^<]*subscription\.suspended/,
    );
    expect(page.html).toContain(adminAccount!.id);
  });

  it('speaks Farsi on the audit log page, and names an unknown action as recorded', async () => {
    const { subId } = await suspendedSubscription();
    await t.shop.storage.audit.append({
      actor: { type: 'system', id: null },
      action: 'subscription.teleported',
      subjectType: 'subscription',
      subjectId: subId,
      data: {},
    });
    await admin.agent.get('/lang/fa?next=/admin').expect(303);
    try {
      const page = await adminGet(admin, `/admin/audit?subjectType=subscription&subjectId=${subId}`);
      const rows = rowsInWords(page.html).join('\n');
      expect(rows).toContain(`اشتراک توسط ${ADMIN.email} معلق شد`);
      expect(rows).toContain('subscription.teleported توسط');
    } finally {
      await admin.agent.get('/lang/en?next=/admin').expect(303);
    }
  });
});
