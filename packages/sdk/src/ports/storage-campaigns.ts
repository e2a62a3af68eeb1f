import type { CampaignAttribution, CampaignAttributionResult, NewCampaignAttribution } from '../domain/campaign.js';

/** Which campaign each customer came through (storage port 18). */
export interface CampaignRepository {
  /**
   * Attributes the customer to the campaign when it has no attribution yet; otherwise changes nothing and returns the
   * one it has (`created: false`): the first campaign wins, also when two attributions race from different processes.
   * `attributedAt` is the storage's clock. An unknown customer: `NotFoundError`; a bad slug: `ValidationError`.
   */
  attribute(input: NewCampaignAttribution): Promise<CampaignAttributionResult>;
  /** The customer's attribution, or `null` when no campaign brought them. */
  get(customerId: string): Promise<CampaignAttribution | null>;
}
