import type { Actor } from '@panelkit/sdk';
import { normalizeDiscountCode } from '@panelkit/sdk';
import { normalizeCampaignSlug, type CampaignFigures } from '@panelkit/sdk/campaigns';
import { campaignBySlug, insertCampaign, listCampaigns, saveCampaignWelcome, type Campaign } from '../../db/campaigns.js';
import { writeNotification } from '../../db/notifications.js';
import type { Shop } from '../shop.js';

/** What the owner sets on a campaign (the slug only when creating it). */
export interface CampaignInput {
  slug: string;
  name: string;
  /** Wallet bonus for each customer it brings, in minor units of the shop's currency; 0: none. */
  bonusAmount: number;
  /** A discount code told to each customer it brings (as typed); empty or `null`: none. */
  welcomeCode: string | null;
}

/** Why a {@link CampaignInput} was refused, as a form field and its message key. */
export type CampaignProblem = { field: keyof CampaignInput; message: string };

/** The most a welcome bonus may be, in minor units (a typo's guard, not a business rule). */
const MAX_BONUS = 100_000_000;

/** The input checked and normalised (slug lower case, code upper case), or its problems. */
function checked(
  input: CampaignInput,
): { ok: true; campaign: Omit<Campaign, 'createdAt' | 'updatedAt'> } | { ok: false; problems: CampaignProblem[] } {
  const problems: CampaignProblem[] = [];
  const slug = normalizeCampaignSlug(input.slug);
  if (slug === null) problems.push({ field: 'slug', message: 'campaigns.admin.errors.slug' });
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) problems.push({ field: 'name', message: 'campaigns.admin.errors.name' });
  if (!Number.isInteger(input.bonusAmount) || input.bonusAmount < 0 || input.bonusAmount > MAX_BONUS)
    problems.push({ field: 'bonusAmount', message: 'campaigns.admin.errors.bonus' });
  const typed = input.welcomeCode?.trim() ?? '';
  const welcomeCode = typed === '' ? null : normalizeDiscountCode(typed);
  if (typed !== '' && welcomeCode === null) problems.push({ field: 'welcomeCode', message: 'campaigns.admin.errors.code' });
  if (problems.length > 0 || slug === null) return { ok: false, problems };
  return { ok: true, campaign: { slug, name, bonusAmount: input.bonusAmount, welcomeCode } };
}

/** Creates a campaign (audited as `campaign.created`); refuses, changing nothing, bad input or a slug in use. */
export async function createCampaign(
  shop: Shop,
  input: CampaignInput,
  actor: Actor,
): Promise<{ ok: true; slug: string } | { ok: false; problems: CampaignProblem[] }> {
  const valid = checked(input);
  if (!valid.ok) return valid;
  const { campaign } = valid;
  if (!(await insertCampaign(shop.db, shop.shopSchema, campaign, shop.clock.now())))
    return { ok: false, problems: [{ field: 'slug', message: 'campaigns.admin.errors.slugTaken' }] };
  await shop.storage.audit.append({
    actor,
    action: 'campaign.created',
    subjectType: 'campaign',
    subjectId: campaign.slug,
    data: { name: campaign.name, bonusAmount: campaign.bonusAmount, welcomeCode: campaign.welcomeCode },
  });
  return { ok: true, slug: campaign.slug };
}

/** Changes a campaign's name and welcome (audited as `campaign.saved`); customers already welcomed keep what they got. */
export async function saveCampaign(
  shop: Shop,
  input: CampaignInput,
  actor: Actor,
): Promise<{ ok: true } | { ok: false; problems: CampaignProblem[] } | { ok: false; missing: true }> {
  const valid = checked(input);
  if (!valid.ok) return valid;
  const { campaign } = valid;
  if (!(await saveCampaignWelcome(shop.db, shop.shopSchema, campaign, shop.clock.now()))) return { ok: false, missing: true };
  await shop.storage.audit.append({
    actor,
    action: 'campaign.saved',
    subjectType: 'campaign',
    subjectId: campaign.slug,
    data: { name: campaign.name, bonusAmount: campaign.bonusAmount, welcomeCode: campaign.welcomeCode },
  });
  return { ok: true };
}

/** How long after a customer was made they may still join a campaign: their first contact (a sign-up, a first /start). */
export const FIRST_CONTACT_MS = 10 * 60_000;

/** Why a customer did not join: no such campaign, or not at first contact (an existing customer). */
export type CampaignRefusal = { ok: false; reason: 'unknown_campaign' | 'not_new' };

/** What joining a campaign did: `joined` when this call attributed the customer (and gave its welcome). */
export interface CampaignJoin {
  ok: true;
  /** The campaign the customer belongs to (the first one that brought them; maybe not the one asked for). */
  campaign: string;
  joined: boolean;
  /** The wallet bonus this call credited, in minor units of the shop's currency (0 when none or not joined now). */
  bonus: number;
  /** The discount code this call told the customer, or `null`. */
  welcomeCode: string | null;
}

/** The ledger key of a customer's campaign welcome bonus: one per customer, whatever campaign and however often asked. */
export function campaignBonusKey(customerId: string): string {
  return `campaign-welcome:${customerId}`;
}

/**
 * A customer came through a campaign's link (the bot's `/start campaign_<slug>`, the web's `/signup?c=<slug>`), at
 * their first contact. In one transaction: the customer is attributed to the campaign unless a campaign already
 * brought them (the first one wins), and only then gets the campaign's welcome: its wallet bonus (a ledger entry under
 * the customer's one welcome key) and a `campaign_welcome` notice with the bonus and code. So a welcome is given once
 * per customer, also when two replicas handle two taps at once. Refused, nothing written: an unknown campaign (or a
 * slug that cannot be one), and a customer made more than {@link FIRST_CONTACT_MS} ago (an existing buyer who taps an
 * ad is not one the ad brought).
 */
export async function joinCampaign(shop: Shop, customerId: string, slugText: string): Promise<CampaignJoin | CampaignRefusal> {
  const slug = normalizeCampaignSlug(slugText);
  const campaign = slug === null ? null : await campaignBySlug(shop.db, shop.shopSchema, slug);
  if (slug === null || campaign === null) return { ok: false, reason: 'unknown_campaign' };
  const customer = await shop.storage.customers.get(customerId);
  if (customer === null) return { ok: false, reason: 'unknown_campaign' };
  const joined = await shop.storage.campaigns.get(customerId);
  if (joined === null && shop.clock.now().getTime() - customer.createdAt.getTime() > FIRST_CONTACT_MS)
    return { ok: false, reason: 'not_new' };
  const currency = shop.config.currency;
  return shop.storage.transaction(async (tx) => {
    const { attribution, created } = await tx.campaigns.attribute({ customerId, campaign: slug });
    if (!created) return { ok: true, campaign: attribution.campaign, joined: false, bonus: 0, welcomeCode: null };
    const actor = { type: 'customer', id: customerId } as const;
    await tx.audit.append({ actor, action: 'campaign.joined', subjectType: 'customer', subjectId: customerId, data: { campaign: slug } });
    let bonus = 0;
    if (campaign.bonusAmount > 0) {
      const { created: credited } = await tx.ledger.append({
        customerId,
        kind: 'adjustment',
        amount: campaign.bonusAmount,
        currency,
        idempotencyKey: campaignBonusKey(customerId),
        reference: `campaign:${slug}`,
        note: `welcome bonus of campaign ${slug}`,
        actor: { type: 'system', id: null },
      });
      bonus = credited ? campaign.bonusAmount : 0;
    }
    if (bonus > 0 || campaign.welcomeCode !== null)
      await writeNotification(tx, shop.shopSchema, shop.clock.now(), {
        recipient: { kind: 'customer', customerId },
        kind: 'campaign_welcome',
        source: campaignBonusKey(customerId),
        params: { amount: bonus, currency, code: campaign.welcomeCode ?? '—' },
      });
    return { ok: true, campaign: slug, joined: true, bonus, welcomeCode: campaign.welcomeCode };
  });
}

/** One row of the owner's campaign report: the campaign as set, and its figures over the period. */
export interface CampaignReportRow {
  campaign: Campaign;
  figures: CampaignFigures;
}

/**
 * The owner's campaigns with their sign-ups, first purchases and net revenue over the days `from`..`to` in the shop's
 * time zone (`kit.campaignFigures`: the SDK's one definition); a campaign nobody came through yet reads zero.
 */
export async function campaignReport(shop: Shop, period: { from: string; to: string }): Promise<CampaignReportRow[]> {
  const [campaigns, figures] = await Promise.all([
    listCampaigns(shop.db, shop.shopSchema),
    shop.kit.campaignFigures({ ...period, timeZone: shop.config.timeZone }),
  ]);
  const bySlug = new Map(figures.map((f) => [f.campaign, f]));
  return campaigns.map((campaign) => ({
    campaign,
    figures: bySlug.get(campaign.slug) ?? { campaign: campaign.slug, signUps: 0, firstPurchases: 0, revenue: [] },
  }));
}

/** The campaign with this slug, or `null`. */
export function campaignOf(shop: Shop, slug: string): Promise<Campaign | null> {
  const normal = normalizeCampaignSlug(slug);
  return normal === null ? Promise.resolve(null) : campaignBySlug(shop.db, shop.shopSchema, normal);
}
