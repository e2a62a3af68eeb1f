import { describe, expect, it } from 'vitest';
import type { CampaignFigures } from '../../domain/campaign.js';
import type { NewLedgerEntry } from '../../domain/ledger.js';
import { zonedDays } from '../../rules/zoned-days.js';
import { seedCustomer, seedLedgerEntry, seedOrder, uniqueToken } from './fixtures.js';
import { expectRejects, HOUR, MINUTE, settle } from './support.js';
import type { SuiteEnv } from './support.js';

const usd = (amount: number) => ({ amount, currency: 'USD' });

/** Campaign attributions (`campaigns`) and the campaign figures (`sales.campaigns`). */
export function campaignsSuite(env: SuiteEnv): void {
  describe('campaigns', () => {
    it('attributes a customer once: the first campaign wins, a later one changes nothing', async () => {
      const { storage, clock } = env;
      const customer = await seedCustomer(storage);
      const [first, second] = [`c-${uniqueToken()}`, `c-${uniqueToken()}`];
      expect(await storage.campaigns.get(customer.id)).toBeNull();
      const made = await storage.campaigns.attribute({ customerId: customer.id, campaign: first.toUpperCase() });
      expect(made).toEqual({ created: true, attribution: { customerId: customer.id, campaign: first, attributedAt: clock.now() } });
      clock.advance(MINUTE);
      const again = await storage.campaigns.attribute({ customerId: customer.id, campaign: second });
      expect(again).toEqual({ created: false, attribution: made.attribution });
      expect(await storage.campaigns.get(customer.id)).toEqual(made.attribution);
    });

    it('refuses an unknown customer and a slug that cannot be a campaign, storing nothing', async () => {
      const { storage } = env;
      await expectRejects(storage.campaigns.attribute({ customerId: 'cus_missing', campaign: 'spring' }), 'NotFoundError');
      const customer = await seedCustomer(storage);
      await expectRejects(storage.campaigns.attribute({ customerId: customer.id, campaign: 'no spaces' }), 'ValidationError');
      await expectRejects(storage.campaigns.attribute({ customerId: customer.id, campaign: 'x' }), 'ValidationError');
      expect(await storage.campaigns.get(customer.id)).toBeNull();
    });

    it('of concurrent attributions to different campaigns exactly one is made and every caller sees it', async () => {
      const { storage } = env;
      const customer = await seedCustomer(storage);
      const slugs = Array.from({ length: 6 }, () => `r-${uniqueToken()}`);
      const { values, errors } = await settle(slugs.map((campaign) => storage.campaigns.attribute({ customerId: customer.id, campaign })));
      expect(errors).toEqual([]);
      expect(values.filter((v) => v.created)).toHaveLength(1);
      const winner = values.find((v) => v.created)!.attribution;
      expect(values.every((v) => v.attribution.campaign === winner.campaign)).toBe(true);
      expect(await storage.campaigns.get(customer.id)).toEqual(winner);
    });

    it('counts sign-ups, first purchases and net revenue per campaign in the period, from its customers only', async () => {
      const { storage, clock } = env;
      const [d1, d2] = zonedDays('2026-05-10', '2026-05-11', 'UTC');
      const [spring, autumn] = [`s-${uniqueToken()}`, `a-${uniqueToken()}`];
      const [early, a, b, c, outsider] = await Promise.all(Array.from({ length: 5 }, () => seedCustomer(storage)));
      const entry = (customerId: string, kind: NewLedgerEntry['kind'], amount: number, currency = 'USD') =>
        seedLedgerEntry(storage, { customerId, kind, amount, currency, idempotencyKey: `e-${uniqueToken()}` });
      clock.set(new Date(d1!.start.getTime() - HOUR)); // before the period
      await storage.campaigns.attribute({ customerId: early!.id, campaign: spring });
      await entry(early!.id, 'top_up', 10_000);
      await seedOrder(storage, { customerId: early!.id });
      await entry(early!.id, 'purchase', -1000);
      clock.set(new Date(d1!.start.getTime() + HOUR));
      for (const customer of [a!, b!]) await storage.campaigns.attribute({ customerId: customer.id, campaign: spring });
      await storage.campaigns.attribute({ customerId: c!.id, campaign: autumn });
      for (const customer of [a!, b!, c!, outsider!]) await entry(customer.id, 'top_up', 10_000);
      await seedOrder(storage, { customerId: early!.id }); // early's second paid order: not a first purchase
      await entry(early!.id, 'extension', -400);
      await seedOrder(storage, { customerId: a!.id, total: usd(0) }); // free: not a purchase
      clock.set(d2!.start);
      await seedOrder(storage, { customerId: a!.id });
      await entry(a!.id, 'purchase', -1000);
      await entry(a!.id, 'refund', 250);
      await entry(a!.id, 'adjustment', 500); // a correction, not sales
      await seedOrder(storage, { customerId: c!.id, total: { amount: 700, currency: 'EUR' } });
      await entry(c!.id, 'top_up', 5000, 'EUR');
      await entry(c!.id, 'purchase', -700, 'EUR');
      await seedOrder(storage, { customerId: outsider!.id }); // no campaign
      await entry(outsider!.id, 'purchase', -900);
      clock.set(d2!.end);
      await seedOrder(storage, { customerId: b!.id }); // after the period
      await entry(b!.id, 'purchase', -1000);
      const rows = await storage.sales.campaigns({ days: [d1!, d2!] });
      const ours = rows.filter((r) => r.campaign === spring || r.campaign === autumn);
      const expected: CampaignFigures[] = [
        { campaign: autumn, signUps: 1, firstPurchases: 1, revenue: [{ currency: 'EUR', amount: 700 }] },
        { campaign: spring, signUps: 2, firstPurchases: 1, revenue: [usd(400 + 1000 - 250)] },
      ];
      expect(ours).toEqual(expected);
      expect(rows.map((r) => r.campaign)).toEqual(rows.map((r) => r.campaign).sort());
      const before = await storage.sales.campaigns({ days: zonedDays('2026-05-09', '2026-05-09', 'UTC') });
      expect(before.find((r) => r.campaign === spring)).toEqual({ campaign: spring, signUps: 1, firstPurchases: 1, revenue: [usd(1000)] });
      expect(before.find((r) => r.campaign === autumn)).toEqual({ campaign: autumn, signUps: 0, firstPurchases: 0, revenue: [] });
      await expectRejects(storage.sales.campaigns({ days: [] }), 'ValidationError');
    });
  });
}
