import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boughtAndProvisioned, planNamed } from './support/buying.js';
import { signedInAdmin, signedUpBuyer, type ShopUnderTest } from './support/shop-under-test.js';
import { receiptSteps } from './support/receipt-steps.js';
import { receipt, startMoneyShop, submitReceipt, topUpForm } from './support/wallet-helpers.js';

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startMoneyShop();
});
afterAll(() => t.close());

const { onlyPaymentOf, review } = receiptSteps(() => t);

/** The ledger rows of the wallet page, as [kind, what-for text] pairs, newest first. */
function ledgerRows(pageHtml: string): Array<{ kind: string; item: string | null; href: string | null; reference: string | null }> {
  return [...pageHtml.matchAll(/<tr data-testid="ledger-row" data-kind="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => {
    const row = m[2] as string;
    return {
      kind: m[1] as string,
      item: /data-testid="ledger-item">([^<]*)</.exec(row)?.[1] ?? null,
      href: /<a href="([^"]+)" data-testid="ledger-item"/.exec(row)?.[1] ?? null,
      reference: /data-testid="ledger-reference">([^<]*)</.exec(row)?.[1] ?? null,
    };
  });
}

describe('wallet history', () => {
  it('names the plan bought and a reference the buyer knows (receipt number, order code), never an internal id', async () => {
    const admin = await signedInAdmin(t.app);
    const buyer = await signedUpBuyer(t.app);
    await submitReceipt(buyer, receipt({ amount: '10', reference: 'TRK 5566-7788' })).then((r) => expect(r.status).toBe(303));
    await review(admin, (await onlyPaymentOf(buyer.email)).id, 'approve');
    t.clock.advance(1000);
    const test = await topUpForm(buyer, 'test');
    await buyer.agent
      .post('/wallet/topup/test')
      .type('form')
      .send({ ...test, amount: '5' })
      .expect(303);
    t.clock.advance(1000);
    const plan = await planNamed(t, 'Frankfurt · 1 month · 50');
    const subId = await boughtAndProvisioned(t, buyer, plan.id);
    const sub = (await t.shop.storage.subscriptions.get(subId))!;

    const page = await buyer.agent.get('/wallet').expect(200);
    const rows = ledgerRows(page.text);
    expect(rows).toEqual([
      {
        kind: 'purchase',
        item: plan.name,
        href: `/orders/${sub.orderId}`,
        reference: `#${sub
          .orderId!.replace(/^[a-z]+_/, '')
          .slice(-8)
          .toUpperCase()}`,
      },
      { kind: 'top_up', item: 'Test payment', href: null, reference: expect.stringMatching(/^TEST-[A-Z0-9]{10}$/) }, // the test gateway's own reference
      { kind: 'top_up', item: 'Card-to-card', href: null, reference: 'TRK 5566-7788' },
    ]);
    const ledgerHtml = /<table data-testid="ledger">[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
    expect(ledgerHtml).not.toMatch(/>(ord|pay|sub|pln)_[A-Za-z0-9]+</);
    expect(ledgerHtml).toContain('What for');
  });
});
