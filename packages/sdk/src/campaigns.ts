/**
 * `@panelkit/sdk/campaigns`: what a shop needs to run campaigns. A campaign's slug (`CampaignSlugSchema`,
 * `normalizeCampaignSlug`), the attribution of a customer to the campaign that brought them (stored once by
 * `storage.campaigns.attribute`: the first campaign wins) and the per-campaign figures the owner reads
 * (`kit.campaignFigures`, counted by the storage's `sales.campaigns` under the one definition of revenue).
 *
 * @module
 */
export {
  CampaignSlugSchema,
  NewCampaignAttributionSchema,
  normalizeCampaignSlug,
  type CampaignAttribution,
  type CampaignAttributionResult,
  type CampaignFigures,
  type NewCampaignAttribution,
} from './domain/campaign.js';
export { campaignFigures } from './engine/campaign-figures.js';
