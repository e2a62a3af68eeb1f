import { z } from 'zod';
import { IdSchema } from './common.js';
import type { Money } from './money.js';

/**
 * A campaign's name in links (`/start campaign_<slug>`, `?c=<slug>`): 2–40 of a–z 0–9 `_` `-`, starting with a
 * letter or digit. Stored and compared lower-cased, so `Spring-Ads` and `spring-ads` are one campaign.
 */
export const CampaignSlugSchema = z
  .string()
  .trim()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9][a-z0-9_-]{1,39}$/, 'a campaign is 2–40 of a–z 0–9 _ -'));

/** Normalises a campaign slug as found in a link (see {@link CampaignSlugSchema}); `null` when it cannot be one. */
export function normalizeCampaignSlug(text: string): string | null {
  const parsed = CampaignSlugSchema.safeParse(text);
  return parsed.success ? parsed.data : null;
}

/** Validates what `campaigns.attribute` takes: the customer and the campaign whose link brought them. */
export const NewCampaignAttributionSchema = z.object({ customerId: IdSchema, campaign: CampaignSlugSchema });
/** Input of `campaigns.attribute`. */
export type NewCampaignAttribution = z.input<typeof NewCampaignAttributionSchema>;

/** The campaign a customer came through: set once, at first contact; a later campaign link does not replace it. */
export interface CampaignAttribution {
  customerId: string;
  /** The campaign's slug (lower case). */
  campaign: string;
  /** When the customer was attributed (the storage's clock): their sign-up for the campaign figures. */
  attributedAt: Date;
}

/** What `campaigns.attribute` returns: the customer's attribution, and whether this call made it. */
export interface CampaignAttributionResult {
  attribution: CampaignAttribution;
  /** False when the customer already had an attribution (to this campaign or another), which is returned unchanged. */
  created: boolean;
}

/**
 * One campaign's figures over a period `[start, end)` (`sales.campaigns`), counted from the customers attributed to it.
 */
export interface CampaignFigures {
  campaign: string;
  /** Customers attributed to the campaign in the period. */
  signUps: number;
  /** Attributed customers whose first paid order (`total.amount > 0`, ever) was placed in the period. */
  firstPurchases: number;
  /**
   * Net sales per currency of the attributed customers in the period, under the one definition of revenue
   * (`REVENUE_LEDGER_KINDS`: what they spent less what was refunded to them), ordered by currency.
   */
  revenue: Money[];
}
