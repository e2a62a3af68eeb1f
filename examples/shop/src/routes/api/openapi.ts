import { GiftBody, GiftClaimBody } from '../gifts.js';
import { Router } from 'express';
import { z } from 'zod';
import { enabledProviders } from '../../app/payments/registry.js';
import type { Shop } from '../../app/shop.js';
import { NotificationSettingsBody } from '../notifications.js';
import { JoinCampaignBody } from '../campaigns.js';
import { CloseTicketBody, OpenTicketBody, TicketMessageBody } from '../support.js';
import { AssignBody, ClientForm } from '../reseller-account.js';
import { BroadcastBody, MenuBody, WithdrawalBody } from '../storefront-office.js';
import { BotBody } from '../storefront-bot-office.js';
import { BrandInputSchema } from '../../app/storefront-bots/brand.js';
import {
  DescribedObject,
  StorefrontOfficeResponse,
  DeviceListResponse,
  DevicePackBoughtResponse,
  DevicePackOfferResponse,
  DeviceRemovedResponse,
  ErrorResponse,
  GatewayTopUpResponse,
  StarsTopUpResponse,
  OnePaymentResponse,
  OrderResponse,
  PaymentListResponse,
  PlanListResponse,
  SalesResponse,
  FiguresOverviewResponse,
  ChurnResponse,
  SubscriptionListResponse,
  SubscriptionResponse,
  WalletResponse,
  OneSavedMethodResponse,
  SavedMethodListResponse,
} from './response-schemas.js';
import { SavedMethodRenewalBody } from './wallet.js';
import { PlanChangeBody, PlanChangeQuery, TrafficBody, TrafficQuery } from './selling.js';
import { BuiltQuoteBody, MoveBody } from './plan-builder.js';
import { AcceptBody, LabelBody, RotateLinkBody } from './sharing.js';
import { DevicePackBody } from './device-packs.js';
import { GatewayTopUpBody } from './gateway-topups.js';
import { TrialRefusalsQuery } from './trial-refusals.js';
import { ChurnQuery, FiguresQuery } from './figures.js';
import { GATEWAY_TOP_UP_PATH, GatewayRailParam } from './gateway-topup-path.js';
import { GATEWAY_RAILS, railMethods } from '../../app/payments/rails/gateway-rails.js';
import { AutoRenewBody, CheckoutBody, ExtendBody, ExtensionQuery, ListQuery, PageQuery, QuoteBody, SalesQuery } from './v1.js';

/** One operation of the JSON API: the schemas its route validates with, and what it answers. */
export interface ApiOperation {
  method: 'get' | 'post';
  /** Express's form, `/api/v1/orders/:id`. */
  path: string;
  summary: string;
  /** Answers without an account (the catalog, this description). */
  public?: boolean;
  /** The schemas of path parameters that take only some values (any other is a plain string). */
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, { description: string; schema: z.ZodType | null }>;
}

const refused = (description: string) => ({ description, schema: ErrorResponse });
const COMMON_ERRORS = {
  400: refused('Bad input (per-field messages in `error.fields`); nothing changed'),
  401: refused('No account: send `Authorization: Bearer pk_…`, or the session cookie with `x-csrf-token`'),
  404: refused('Not found, or not the caller’s'),
};
const MONEY_ERRORS = {
  402: refused('Not enough in the wallet; nothing was charged'),
  409: refused('Refused by the shop’s rules (sold out, not eligible, a change in progress, a key reused); nothing was charged'),
};

/** The gateways a top-up may go through, as the gateway top-up's summary lists them: each rail with its ways to pay. */
function gatewayList(): string {
  return GATEWAY_RAILS.map((rail) => {
    const methods = railMethods(rail).map((method) => `\`${method}\``);
    return methods.length === 0 ? `\`${rail}\`` : `\`${rail}\` with \`method\` ${methods.join(' or ')}`;
  }).join(', ');
}

/**
 * Every operation of the JSON API, with the very schemas the routes parse their input with. The
 * top-up's body is each enabled provider's own form (`providerForms`).
 */
export function apiOperations(providerForms: readonly { id: string; schema: z.ZodType }[]): ApiOperation[] {
  const topUpBody = z.union(providerForms.map((p) => p.schema.meta({ title: p.id }))) as z.ZodType;
  return [
    {
      method: 'get',
      path: '/api/v1/openapi.json',
      summary: 'This description',
      public: true,
      responses: { 200: { description: 'OpenAPI 3.1', schema: null } },
    },
    {
      method: 'get',
      path: '/api/v1/plans',
      summary: 'Plans on sale, in the caller’s language (a reseller’s token gets its own prices)',
      public: true,
      responses: { 200: { description: 'The plans', schema: PlanListResponse } },
    },
    {
      method: 'post',
      path: '/api/v1/plans/:id/quote',
      summary: 'The price and terms of a choice on a plan the buyer composes (`allowed: false` with the reason when refused)',
      body: BuiltQuoteBody,
      responses: { 200: { description: 'The built plan’s quote', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/plans/:id/locations',
      summary: "The locations a plan offers, each with its country and name (the owner's catalog) and `available` or `busy`",
      responses: { 200: { description: 'The locations', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/label',
      summary: 'Names the caller’s subscription (`null`: no name)',
      body: LabelBody,
      responses: { 200: { description: 'The subscription’s id and name', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/subscriptions/:id/link',
      summary: 'The subscription’s own link, serving that subscription alone, and its version (to rotate from)',
      responses: { 200: { description: 'The link', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/link/rotate',
      summary:
        'A new own link for the subscription; the old one stops working at once. With `from` (the version read), only the link still at that version is replaced: sent twice, one rotation',
      body: RotateLinkBody,
      responses: { 200: { description: 'The new link', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/subscriptions/:id/members',
      summary: 'The current members of the caller’s family plan',
      responses: { 200: { description: 'The members', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/invites',
      summary: 'Invites someone to the caller’s family plan: a single-use, expiring token',
      responses: {
        201: { description: 'The invite token', schema: DescribedObject },
        ...COMMON_ERRORS,
        409: refused('Not a family plan, or refused'),
      },
    },
    {
      method: 'post',
      path: '/api/v1/family/accept',
      summary: 'Takes a seat on a family plan with an invite token',
      body: AcceptBody,
      responses: {
        201: { description: 'The seat and the member’s subscription', schema: DescribedObject },
        ...COMMON_ERRORS,
        409: refused('The invite is used, expired, or the plan is full'),
      },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/members/:memberSubscriptionId/remove',
      summary: 'Removes a member from the caller’s family plan (their links stop at once)',
      responses: { 200: { description: 'The removed membership', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/location',
      summary: 'Moves the caller’s subscription to another location its plan offers (expiry, traffic left and link kept)',
      body: MoveBody,
      responses: {
        202: { description: 'The move is queued', schema: DescribedObject },
        200: { description: 'The same key again', schema: DescribedObject },
        ...COMMON_ERRORS,
        409: refused('The location is full, the subscription is not active or already changing; nothing changed'),
      },
    },
    {
      method: 'post',
      path: '/api/v1/checkout/quote',
      summary: 'What a checkout would cost, with a discount code’s decision',
      body: QuoteBody,
      responses: { 200: { description: 'The quote', schema: DescribedObject }, ...COMMON_ERRORS, ...MONEY_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/checkout',
      summary: 'Buys plans from the wallet; a retried request with the same `idempotencyKey` buys once',
      body: CheckoutBody,
      responses: {
        201: { description: 'Bought', schema: DescribedObject },
        200: { description: 'The same key again: the first answer', schema: DescribedObject },
        ...COMMON_ERRORS,
        ...MONEY_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/api/v1/orders/:id',
      summary: 'One of the caller’s orders',
      responses: { 200: { description: 'The order', schema: OrderResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/subscriptions',
      summary: 'The caller’s subscriptions, newest first',
      query: ListQuery,
      responses: { 200: { description: 'A page of subscriptions', schema: SubscriptionListResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/subscriptions/:id',
      summary: 'One subscription with its links',
      responses: { 200: { description: 'The subscription', schema: SubscriptionResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/auto-renew',
      summary: 'Turns the subscription’s auto-renewal on or off (extended from the wallet when it ends)',
      body: AutoRenewBody,
      responses: {
        200: { description: 'The subscription', schema: SubscriptionResponse },
        ...COMMON_ERRORS,
        409: refused('A trial, a plan that does not renew, or a subscription that has ended'),
      },
    },
    {
      method: 'get',
      path: '/api/v1/subscriptions/:id/extension',
      summary: 'Whether and at what price the subscription may be extended now',
      query: ExtensionQuery,
      responses: { 200: { description: 'The extension quote', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/extension',
      summary: 'Extends the subscription from the wallet',
      body: ExtendBody,
      responses: {
        202: { description: 'Charged; the panel is being updated', schema: DescribedObject },
        200: { description: 'The same key again', schema: DescribedObject },
        ...COMMON_ERRORS,
        ...MONEY_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/api/v1/subscriptions/:id/traffic',
      summary: 'The price of extra traffic for the current period',
      query: TrafficQuery,
      responses: { 200: { description: 'The traffic quote', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/traffic',
      summary: 'Buys extra traffic from the wallet',
      body: TrafficBody,
      responses: {
        202: { description: 'Charged; the panel is being updated', schema: DescribedObject },
        200: { description: 'The same key again', schema: DescribedObject },
        ...COMMON_ERRORS,
        ...MONEY_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/api/v1/subscriptions/:id/plan-change',
      summary: 'The price of moving the subscription to another plan',
      query: PlanChangeQuery,
      responses: { 200: { description: 'The plan change quote', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/plan-change',
      summary: 'Moves the subscription to another plan, paying the difference from the wallet',
      body: PlanChangeBody,
      responses: {
        202: { description: 'Charged; the panel is being updated', schema: DescribedObject },
        200: { description: 'The same key again', schema: DescribedObject },
        ...COMMON_ERRORS,
        ...MONEY_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/api/v1/subscriptions/:id/devices',
      summary: 'The devices using the subscription (what each app said about itself, first and last seen) and its limit',
      responses: { 200: { description: 'The devices', schema: DeviceListResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/devices/:deviceId/remove',
      summary: 'Removes a device from the subscription: its place frees at once (its app is counted again when it next asks)',
      responses: {
        200: { description: 'The device removed and the devices left', schema: DeviceRemovedResponse },
        ...COMMON_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/api/v1/subscriptions/:id/devices/pack',
      summary: 'Extra devices on offer for the subscription: the price of one for the time left, how many more may be added, or why none',
      responses: { 200: { description: 'The offer', schema: DevicePackOfferResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscriptions/:id/devices/pack',
      summary:
        'Adds devices to the subscription, paid from the wallet prorated to its end; the limit rises at once. They fall back at renewal unless the extension keeps them',
      body: DevicePackBody,
      responses: {
        201: { description: 'Charged: the order, and the new limit', schema: DevicePackBoughtResponse },
        200: { description: 'The same key again: the same order, nothing charged', schema: DevicePackBoughtResponse },
        ...COMMON_ERRORS,
        ...MONEY_ERRORS,
      },
    },
    {
      method: 'get',
      path: '/api/v1/wallet',
      summary: 'Balances, the top-up providers and gateways on now, and the newest ledger entries',
      query: PageQuery,
      responses: { 200: { description: 'The wallet', schema: WalletResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/payments',
      summary: 'The caller’s top-ups, newest first',
      query: PageQuery,
      responses: { 200: { description: 'A page of payments', schema: PaymentListResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/payments/:id',
      summary: 'One of the caller’s top-ups',
      responses: { 200: { description: 'The payment', schema: OnePaymentResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/payments/:id/cancel',
      summary: 'Withdraws one of the caller’s pending top-ups',
      responses: {
        200: { description: 'The payment, cancelled', schema: OnePaymentResponse },
        ...COMMON_ERRORS,
        409: refused('Not pending'),
      },
    },
    {
      method: 'get',
      path: '/api/v1/payment-methods',
      summary: 'The caller’s saved payment methods (labels only)',
      responses: { 200: { description: 'The saved methods', schema: SavedMethodListResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/payment-methods/:id/renewal',
      summary: 'Allows or stops charging a saved method for auto-renewals when the wallet is short',
      body: SavedMethodRenewalBody,
      responses: { 200: { description: 'The saved method', schema: OneSavedMethodResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/payment-methods/:id/remove',
      summary: 'Forgets one of the caller’s saved methods',
      responses: { 204: { description: 'Removed', schema: null }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/topups/:provider',
      summary: 'Starts a wallet top-up with one of the enabled providers (amounts in major units, "12.50")',
      body: topUpBody,
      responses: {
        201: { description: 'Credited at once', schema: OnePaymentResponse },
        202: { description: 'Pending: a receipt to review, or a gateway to pay at', schema: OnePaymentResponse },
        ...COMMON_ERRORS,
        409: refused('Too many pending top-ups'),
      },
    },
    {
      method: 'post',
      path: GATEWAY_TOP_UP_PATH,
      summary: `Starts a wallet top-up through a gateway the owner has on (${gatewayList()}; \`GET /api/v1/wallet\` lists those on now, with their limits): pay at \`payUrl\``,
      params: { rail: GatewayRailParam },
      body: GatewayTopUpBody,
      responses: {
        202: { description: 'Pending until the gateway confirms it', schema: GatewayTopUpResponse },
        ...COMMON_ERRORS,
        409: refused('A key reused, or too many pending top-ups'),
        503: refused('The gateway cannot be reached; nothing was stored'),
      },
    },
    {
      method: 'post',
      path: '/api/v1/stars-topups',
      summary: 'Starts a wallet top-up in Telegram Stars (the caller’s Telegram linked): pay at `invoiceLink` in Telegram',
      body: GatewayTopUpBody,
      responses: {
        202: { description: 'Pending until Telegram reports the payment', schema: StarsTopUpResponse },
        ...COMMON_ERRORS,
        409: refused('Telegram not linked, a key reused, or too many pending top-ups'),
        503: refused('Telegram cannot be reached; nothing was stored'),
      },
    },
    {
      method: 'get',
      path: '/api/v1/reseller',
      summary: 'A reseller’s terms: balance, credit limit, its prices per plan and the changes to them',
      responses: { 200: { description: 'The terms', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/reseller/clients',
      summary: 'A reseller’s own clients, with the subscriptions given to each',
      responses: { 200: { description: 'The clients', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/reseller/clients',
      summary: 'Adds a client to the reseller’s list',
      body: ClientForm,
      responses: {
        201: { description: 'Its id', schema: DescribedObject },
        ...COMMON_ERRORS,
        409: refused('A client of that name exists'),
      },
    },
    {
      method: 'post',
      path: '/api/v1/reseller/clients/:id/subscriptions',
      summary: 'Gives one of the reseller’s subscriptions to the client',
      body: AssignBody,
      responses: { 200: { description: 'Done', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/storefront',
      summary: 'A reseller’s own storefront: its state, this month’s sales and margin, its payout balance, buyers and bot',
      responses: { 200: { description: 'The back office', schema: StorefrontOfficeResponse }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/storefront/menu',
      summary: 'The reseller’s menu: every plan with what the reseller pays and the retail price its buyers pay (`null`: not sold)',
      responses: { 200: { description: 'The menu', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/storefront/menu',
      summary: 'Sets retail prices (minor units; `null` stops selling the plan); any bad line refuses them all',
      body: MenuBody,
      responses: { 200: { description: 'Saved', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/storefront/buyers',
      summary: 'The reseller’s own buyers, newest first',
      responses: { 200: { description: 'Buyers', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/storefront/withdrawals',
      summary: 'The reseller’s withdrawals, newest first',
      responses: { 200: { description: 'Withdrawals', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/storefront/withdrawals/:id',
      summary: 'One of the reseller’s withdrawals (another partner’s is a 404)',
      responses: { 200: { description: 'The withdrawal', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/storefront/withdrawals',
      summary: 'Asks a withdrawal of the payout balance (held at once); the same `idempotencyKey` asks once',
      body: WithdrawalBody,
      responses: {
        201: { description: 'Asked', schema: DescribedObject },
        200: { description: 'The same key again: the first answer', schema: DescribedObject },
        ...COMMON_ERRORS,
        409: refused('More than the payout balance, or than it leaves over what the wallet owes; nothing was held'),
      },
    },
    {
      method: 'post',
      path: '/api/v1/storefront/broadcasts',
      summary: 'Queues a message to the reseller’s own buyers who linked Telegram; the same `idempotencyKey` queues once',
      body: BroadcastBody,
      responses: {
        202: { description: 'Queued', schema: DescribedObject },
        200: { description: 'The same key again', schema: DescribedObject },
        ...COMMON_ERRORS,
        409: refused('No buyer reachable, or the shop has no bot'),
      },
    },
    {
      method: 'post',
      path: '/api/v1/storefront/bot',
      summary: 'Connects the reseller’s own storefront bot by its @BotFather token (checked with Telegram; kept sealed)',
      body: BotBody,
      responses: {
        200: { description: 'Connected: the bot’s id and username, and whether its webhook was set', schema: DescribedObject },
        ...COMMON_ERRORS,
        409: refused('This bot already serves another storefront'),
        503: refused('Telegram could not be reached; nothing was saved'),
      },
    },
    {
      method: 'post',
      path: '/api/v1/storefront/brand',
      summary: 'Sets the reseller’s own storefront brand, whole: shop name, support contact, welcome and plan texts per language',
      body: BrandInputSchema,
      responses: { 200: { description: 'The brand as saved', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/gifts',
      summary: 'The gifts the caller gave, newest first: code, link, plan, and whether (and when) each was claimed',
      responses: { 200: { description: 'Gifts', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/gifts',
      summary: 'Buys a plan as a gift from the wallet; a retried request with the same `idempotencyKey` buys once',
      body: GiftBody,
      responses: {
        201: { description: 'Bought: the gift with its code and link', schema: DescribedObject },
        200: { description: 'The same key again: the first answer', schema: DescribedObject },
        ...COMMON_ERRORS,
        ...MONEY_ERRORS,
      },
    },
    {
      method: 'post',
      path: '/api/v1/gifts/claim',
      summary: 'Claims a gift by its code: the caller gets a new subscription of its plan (once; not the giver)',
      body: GiftClaimBody,
      responses: {
        201: { description: 'Claimed: the order and its subscription', schema: DescribedObject },
        200: { description: 'Already claimed by the caller: the same order', schema: DescribedObject },
        ...COMMON_ERRORS,
        409: refused('Claimed by someone else, expired, the caller’s own gift, or its plan has no room now; nothing changed'),
      },
    },
    {
      method: 'get',
      path: '/api/v1/referrals',
      summary: 'The referral program (null when off), the caller’s referral link and what it earned',
      responses: { 200: { description: 'Referrals', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/campaigns/join',
      summary: 'A new buyer joins the campaign whose link brought them (the first campaign wins); its welcome is given once',
      body: JoinCampaignBody,
      responses: {
        200: { description: 'The campaign the caller belongs to, and what this call gave', schema: DescribedObject },
        ...COMMON_ERRORS,
        409: refused('Not a new customer: campaign offers are for the buyers a campaign brings'),
      },
    },
    {
      method: 'get',
      path: '/api/v1/notification-settings',
      summary: 'Which notification kinds the caller gets',
      responses: { 200: { description: 'Each kind and whether it is on', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/notification-settings',
      summary: 'Chooses the notification kinds the caller gets (every other kind is turned off)',
      body: NotificationSettingsBody,
      responses: { 200: { description: 'Each kind and whether it is on', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/subscription-link',
      summary: 'The caller’s subscription link (/s/…), serving all of their subscriptions, and its version (to rotate from)',
      responses: { 200: { description: 'The link', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/subscription-link/rotate',
      summary:
        'Replaces the caller’s subscription link (/s/…): the old one stops answering at once. With `from` (the version read), only the link still at that version is replaced: sent twice, one rotation',
      body: RotateLinkBody,
      responses: { 200: { description: 'The new link and its version', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'get',
      path: '/api/v1/sales',
      summary: 'Sales figures per day of the shop’s time zone (owners only; the last 30 days by default)',
      query: SalesQuery,
      responses: { 200: { description: 'The figures', schema: SalesResponse }, ...COMMON_ERRORS, 403: refused('Owners only') },
    },
    {
      method: 'get',
      path: '/api/v1/figures/overview',
      summary:
        'Owner figures over months of the shop’s figures calendar: cohorts and who still pays, revenue per cohort, monthly counters (first buyers, net sales, renewals, lapses, refunds, trials), LTV by source, cash by gateway; as of `foldedAt`. The owner reads any scope, a reseller its own storefront’s',
      query: FiguresQuery,
      responses: {
        200: { description: 'The figures', schema: FiguresOverviewResponse },
        ...COMMON_ERRORS,
        403: refused('Owners and resellers (their own storefront) only'),
      },
    },
    {
      method: 'get',
      path: '/api/v1/figures/churn',
      summary: 'Lapsed paid units per month split by plan, location, storefront or source (a reseller: its own, by plan or location)',
      query: ChurnQuery,
      responses: {
        200: { description: 'The churn rows', schema: ChurnResponse },
        ...COMMON_ERRORS,
        403: refused('Owners and resellers (their own storefront) only'),
      },
    },
    {
      method: 'get',
      path: '/api/v1/trial-refusals',
      summary: 'Refused trial attempts, newest first: who, which plan, why and what matched (owners only)',
      query: TrialRefusalsQuery,
      responses: { 200: { description: 'A page of refusals', schema: DescribedObject }, ...COMMON_ERRORS, 403: refused('Owners only') },
    },
    {
      method: 'get',
      path: '/api/v1/tickets',
      summary: 'The caller’s support tickets, newest first',
      responses: { 200: { description: 'The tickets', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/tickets',
      summary: 'Opens a support ticket (the staff are notified); a subject left out is the text’s first line',
      body: OpenTicketBody,
      responses: {
        201: { description: 'The ticket and its thread', schema: DescribedObject },
        ...COMMON_ERRORS,
        429: refused('Too many open tickets, or too many opened today; nothing was written'),
      },
    },
    {
      method: 'get',
      path: '/api/v1/tickets/:id',
      summary: 'One of the caller’s tickets with its thread',
      responses: { 200: { description: 'The ticket and its thread', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/tickets/:id/messages',
      summary: 'Writes in the caller’s ticket (a closed ticket opens again); the staff are notified',
      body: TicketMessageBody,
      responses: { 201: { description: 'The message and the ticket', schema: DescribedObject }, ...COMMON_ERRORS },
    },
    {
      method: 'post',
      path: '/api/v1/tickets/:id/close',
      summary: 'Closes the caller’s ticket, with an optional reason',
      body: CloseTicketBody,
      responses: {
        200: { description: 'The ticket', schema: DescribedObject },
        ...COMMON_ERRORS,
        409: refused('The ticket is closed already'),
      },
    },
  ];
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** `/api/v1/orders/:id` as OpenAPI writes it: `/api/v1/orders/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}

/** The OpenAPI 3.1 document of `operations`, their schemas converted by zod's own JSON Schema output. */
export function openApiDocument(
  operations: readonly ApiOperation[],
  info: { title: string; serverUrl: string | null },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const pathParams = [...op.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => {
      const schema = op.params?.[m[1] as string];
      return { name: m[1], in: 'path', required: true, schema: schema === undefined ? { type: 'string' } : jsonSchema(schema, 'input') };
    });
    const queryParams = Object.entries(op.query?.shape ?? {}).map(([name, field]) => ({
      name,
      in: 'query',
      required: !(field as z.ZodType).safeParse(undefined).success,
      schema: jsonSchema(field as z.ZodType, 'input'),
    }));
    const responses: Record<string, unknown> = {};
    for (const [status, answer] of Object.entries(op.responses)) {
      responses[status] =
        answer.schema === null
          ? { description: answer.description }
          : { description: answer.description, content: { 'application/json': { schema: jsonSchema(answer.schema, 'output') } } };
    }
    paths[openApiPath(op.path)] ??= {};
    (paths[openApiPath(op.path)] as Record<string, unknown>)[op.method] = {
      summary: op.summary,
      ...(op.public === true ? { security: [] } : {}),
      ...(pathParams.length + queryParams.length > 0 ? { parameters: [...pathParams, ...queryParams] } : {}),
      ...(op.body === undefined
        ? {}
        : { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `${info.title} JSON API`,
      version: '1',
      description:
        'Money is in minor units as `{ amount, currency }` unless a field says major units; times are ISO 8601. Every error answers `{ error: { code, message, fields? } }` in the caller’s language (`Accept-Language`).',
    },
    ...(info.serverUrl === null ? {} : { servers: [{ url: info.serverUrl }] }),
    security: [{ apiToken: [] }, { session: [] }],
    components: {
      securitySchemes: {
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (`pk_…`) made on the account’s API tokens page; scopes `read` and `write`.',
        },
        session: {
          type: 'apiKey',
          in: 'header',
          name: 'x-csrf-token',
          description: 'A signed-in browser session (its cookie) with the page’s CSRF token.',
        },
      },
    },
    paths,
  };
}

/** `GET /api/v1/openapi.json`: the description of this shop's JSON API (public), with its enabled top-up providers. */
export function openApiRoutes(shop: Shop): Router {
  const router = Router();
  router.get('/api/v1/openapi.json', async (_req, res) => {
    const env = { currency: shop.config.currency, timeZone: shop.config.timeZone, now: shop.clock.now() };
    const forms = (await enabledProviders(shop)).map((p) => ({ id: p.id, schema: p.formSchema(env) }));
    res.json(openApiDocument(apiOperations(forms), { title: shop.config.shopName, serverUrl: shop.config.publicUrl }));
  });
  return router;
}
