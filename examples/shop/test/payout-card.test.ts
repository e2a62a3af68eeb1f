import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAUTH_WINDOW_MS } from '../src/http/staff-security.js';
import { isValidCardNumber, normalizeCardNumber } from '../src/app/payments/payout-card.js';
import { ADMIN, csrfFrom, signedInAdmin, signedUpBuyer, startShop, type ShopUnderTest, type Visitor } from './support/shop-under-test.js';

/** A card number that passes the Luhn check, and the same with one digit mistyped. */
const GOOD_CARD = '6219 8610 3456 7890';
const TYPO_CARD = '6219 8610 3456 7891';

describe('card numbers as typed', () => {
  it('are read in Persian digits, with spaces or dashes, and written in groups of four', () => {
    expect(normalizeCardNumber('۶۲۱۹ ۸۶۱۰ ۳۴۵۶ ۷۸۹۰')).toBe('6219-8610-3456-7890');
    expect(normalizeCardNumber('6219-8610-34567891')).toBe('6219-8610-3456-7891');
    expect(isValidCardNumber(normalizeCardNumber(GOOD_CARD))).toBe(true);
    expect(isValidCardNumber(normalizeCardNumber(TYPO_CARD))).toBe(false);
    expect(isValidCardNumber('6219-8610-3456')).toBe(false);
  });
});

describe('the payout card in the owner settings', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(() => t.close());

  /** The owner, signed in long enough ago that the settings ask for the password again, then re-authenticated. */
  async function reauthenticatedOwner(): Promise<Visitor> {
    const owner = await signedInAdmin(t.app);
    t.clock.advance(REAUTH_WINDOW_MS + 1000);
    await owner.agent.get('/admin/settings').expect(303);
    await owner.agent
      .post('/account/reauth')
      .type('form')
      .send({ _csrf: owner.csrf, password: ADMIN.password, next: '/admin/settings' })
      .expect(303);
    return owner;
  }

  async function save(owner: Visitor, fields: Record<string, string>) {
    const page = await owner.agent.get('/admin/settings').expect(200);
    return owner.agent
      .post('/admin/settings')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), gatewayBaseUrl: '', gatewayApiKey: '', gatewayIpnSecret: '', botToken: '', ...fields });
  }

  it('is changed only after re-authentication, refuses a mistyped number, and the buyers see the new card at once', async () => {
    const owner = await signedInAdmin(t.app);
    t.clock.advance(REAUTH_WINDOW_MS + 1000);
    const refused = await owner.agent
      .post('/admin/settings')
      .type('form')
      .send({ _csrf: owner.csrf, cardEnabled: 'on', cardNumber: GOOD_CARD, cardHolder: 'Intruder' });
    expect(refused.status).toBe(403);

    const again = await reauthenticatedOwner();
    const page = await again.agent.get('/admin/settings').expect(200);
    // The environment's card is what is in use until the owner saves one.
    expect(page.text).toContain('value="6037-9900-0000-0000"');
    const typo = await save(again, { cardEnabled: 'on', cardNumber: TYPO_CARD, cardHolder: 'Shop Owner' });
    expect(typo.status).toBe(400);
    expect(typo.text).toContain('not a valid card number');
    const buyer = await signedUpBuyer(t.app);
    expect((await buyer.agent.get('/wallet').expect(200)).text).toContain('6037-9900-0000-0000');

    await save(again, { cardEnabled: 'on', cardNumber: GOOD_CARD, cardHolder: 'Shop Owner' }).then((r) => expect(r.status).toBe(303));
    const wallet = await buyer.agent.get('/wallet').expect(200);
    expect(wallet.text).toContain('6219-8610-3456-7890');
    expect(wallet.text).toContain('Shop Owner');
    expect(wallet.text).not.toContain('6037-9900-0000-0000');
    const audit = await t.shop.storage.audit.list({ subjectType: 'shop' }, { limit: 5 });
    expect(audit.items.find((e) => e.action === 'settings.saved')?.data['payoutCard']).toBe('…7890');

    // Saving other settings leaves the card alone (and writes no card change to the audit).
    await save(again, { cardEnabled: 'on', cardNumber: '6219-8610-3456-7890', cardHolder: 'Shop Owner' }).then((r) =>
      expect(r.status).toBe(303),
    );
    const saved = (await t.shop.storage.audit.list({ subjectType: 'shop' }, { limit: 10 })).items.filter(
      (e) => e.action === 'settings.saved',
    );
    expect(saved.map((e) => e.data['payoutCard'])).toHaveLength(2);
    expect(saved.map((e) => e.data['payoutCard'])).toContain(null);
  });

  it('turned off, card-to-card is gone from the wallet and its top-up is refused', async () => {
    const owner = await reauthenticatedOwner();
    await save(owner, { cardNumber: '', cardHolder: '' }).then((r) => expect(r.status).toBe(303));
    const buyer = await signedUpBuyer(t.app);
    const wallet = await buyer.agent.get('/wallet').expect(200);
    expect(wallet.text).not.toContain('data-testid="topup-card"');
    const res = await buyer.agent.post('/wallet/topup/card').type('form').send({ _csrf: buyer.csrf, amount: '5' });
    expect(res.status).toBe(404);
  });

  it('is the owner’s alone', async () => {
    const staff = await signedUpBuyer(t.app);
    await t.shop.accounts.setRole((await t.shop.accounts.getByEmail(staff.email))!.id, 'support');
    await staff.agent
      .post('/admin/settings')
      .type('form')
      .send({ _csrf: staff.csrf, cardEnabled: 'on', cardNumber: GOOD_CARD })
      .expect(403);
  });
});
