import { z } from 'zod';
import { GATEWAY_RAILS } from '../../app/payments/rails/gateway-rails.js';

/**
 * What the JSON API answers, as zod schemas: the OpenAPI description is generated from them
 * (`openapi.ts`), and the API's tests hold the routes' answers to them, so the two cannot drift.
 * Money is `{ amount, currency }` in minor units; times are ISO 8601 strings.
 */

const Money = z.strictObject({ amount: z.number().int(), currency: z.string() }).meta({ id: 'Money' });
const Time = z.iso.datetime();
const Id = z.string();
/** An entitlement kind (the SDK's `ENTITLEMENT_KINDS`). */
const Kind = z.enum(['xray', 'wireguard', 'amneziawg', 'mtproto']).describe('what the subscription (or one part of a bundle) is');

/** A plan on sale, as `planJson` writes it. */
export const PlanResponse = z
  .strictObject({
    id: Id,
    name: z.string(),
    family: z.string(),
    description: z.string().nullable(),
    price: Money,
    priceFrom: z
      .boolean()
      .describe('true: the buyer composes the plan (POST /api/v1/plans/{id}/quote prices a choice) and price is the least it sells for'),
    durationDays: z.number().int(),
    trafficBytes: z.number().int().nullable().describe('null: unlimited'),
    deviceLimit: z.number().int().nullable().describe('null: no limit'),
    noHwidPolicy: z
      .enum(['serve', 'refuse'])
      .describe('what the link does with an app that sends no device id: serve it uncounted, or refuse it'),
    locations: z.array(z.string()),
    startOnFirstUse: z.boolean(),
    renewable: z.boolean(),
    trial: z
      .strictObject({
        days: z.number().int(),
        trafficBytes: z.number().int().nullable(),
        price: Money.nullable().optional().describe('a paid trial’s price; absent or null: free'),
        requirePhone: z.boolean().optional().describe('true: claimed only with a verified phone number (in the Telegram bot)'),
      })
      .nullable(),
    trafficTopUp: z.strictObject({ pricePerGiB: Money, maxGiBPerPurchase: z.number().int() }).nullable(),
    devicePack: z
      .strictObject({ pricePer30Days: Money, maxExtraDevices: z.number().int() })
      .nullable()
      .describe('extra devices on top of the limit, prorated to the period’s end; null: not sold'),
    kinds: z.array(Kind).describe('what one unit sells; several kinds make a bundle (one subscription per kind)'),
  })
  .meta({ id: 'Plan' });

/** `GET /api/v1/plans`. */
export const PlanListResponse = z.strictObject({ items: z.array(PlanResponse) });

/** How a part the subscription link does not deliver is taken, as `deliveryJson` writes it. */
const PartDelivery = z
  .union([
    z.strictObject({
      config: z.strictObject({
        url: z.string().describe('the WireGuard/AmneziaWG .conf (GET /s/<token>/config/<id>.conf)'),
        fileName: z.string(),
        zipUrl: z.string().describe('a zip of every config the link serves (GET /s/<token>/configs.zip)'),
      }),
    }),
    z.strictObject({
      telegram: z.strictObject({ tg: z.string().describe('tg://proxy?…'), https: z.string().describe('https://t.me/proxy?…') }),
    }),
  ])
  .meta({ id: 'PartDelivery' });

const SubscriptionStatus = z.enum(['pending', 'active', 'on_hold', 'limited', 'expired', 'suspended', 'terminated', 'failed']);

/** A subscription for its owner, as `subscriptionJson` writes it (the links only when asked for by id). */
export const SubscriptionResponse = z
  .strictObject({
    id: Id,
    orderId: Id.nullable(),
    planId: Id,
    status: SubscriptionStatus,
    expiresAt: Time.nullable(),
    startOnFirstUse: z.boolean(),
    durationDays: z.number().int(),
    trafficLimitBytes: z.number().int().nullable(),
    usedBytes: z.number().int().nullable(),
    deviceLimit: z.number().int().nullable(),
    autoRenew: z.boolean(),
    trial: z.boolean(),
    createdAt: Time,
    changeInProgress: z.boolean().optional().describe('a change (extension, plan change, top-up) is being applied on the panel'),
    subscriptionUrl: z
      .string()
      .optional()
      .describe("the buyer's link, the shop's /s/<token> (every subscription of the buyer in one; never the panel's own URL)"),
    shareLinks: z.array(z.string()).optional(),
    kind: Kind,
    bundleId: Id.nullable().describe('the parts sold together (a plan’s kinds, or a built plan’s locations) share it; null: sold alone'),
    delivery: PartDelivery.nullable()
      .optional()
      .describe(
        'how a WireGuard, AmneziaWG or Telegram part is taken (with the links); null for Xray (subscriptionUrl) and a part not set up yet',
      ),
  })
  .meta({ id: 'Subscription' });

/** `GET /api/v1/subscriptions`. */
export const SubscriptionListResponse = z.strictObject({ items: z.array(SubscriptionResponse), nextCursor: z.string().nullable() });

/** An order with its subscriptions, as `orderJson` writes it. */
export const OrderResponse = z
  .strictObject({
    id: Id,
    status: z.enum(['provisioning', 'completed', 'partially_failed', 'failed']),
    items: z.array(z.looseObject({ planId: Id, quantity: z.number().int() })),
    total: Money,
    createdAt: Time,
    subscriptions: z.array(z.strictObject({ id: Id, planId: Id, status: SubscriptionStatus, trial: z.boolean() })),
  })
  .meta({ id: 'Order' });

/** A wallet top-up, as `paymentJson` writes it. */
export const PaymentResponse = z
  .strictObject({
    id: Id,
    provider: z.string(),
    status: z.enum(['pending', 'approved', 'rejected', 'expired', 'cancelled', 'reversed']),
    amount: z.number().int(),
    currency: z.string(),
    reference: z.string().nullable(),
    cardLast4: z.string().nullable(),
    paidAt: z.string().nullable(),
    credited: z.boolean(),
    reviewNote: z.string().nullable(),
    createdAt: Time,
    reviewedAt: Time.nullable(),
  })
  .meta({ id: 'Payment' });

/** `GET /api/v1/payments/:id`, a top-up and a cancel. */
export const OnePaymentResponse = z.strictObject({ payment: PaymentResponse });

/** A gateway top-up started through the API: the payment (pending) and the gateway's page the buyer pays on. */
export const GatewayTopUpResponse = z.strictObject({ payment: PaymentResponse, payUrl: z.string() });

/** A Stars top-up started through the API: the payment, its price in Stars, and the invoice link to pay in Telegram. */
export const StarsTopUpResponse = z.strictObject({ payment: PaymentResponse, stars: z.number().int(), invoiceLink: z.string() });

/** `GET /api/v1/payments`. */
export const PaymentListResponse = z.strictObject({ payments: z.array(PaymentResponse), nextCursor: z.string().nullable() });

/** A gateway the owner has on, as `GET /api/v1/wallet` lists it: what a client needs to start a top-up through it. */
export const GatewayResponse = z
  .strictObject({
    id: z.enum(GATEWAY_RAILS).describe('the gateway, as `POST /api/v1/gateway-topups/{rail}` names it'),
    name: z.string().describe('the gateway’s own name, to show'),
    currency: z.string().describe('the currency it is paid in: the shop’s'),
    minAmount: z.number().int().describe('the smallest top-up, minor units'),
    maxAmount: z.number().int().describe('the largest top-up, minor units'),
    methods: z.array(z.string()).describe('the ways to pay, one of which the top-up’s `method` must be; empty: send no `method`'),
    savesMethods: z.boolean().describe('whether `saveMethod` may keep the buyer’s method for auto-renewals'),
    topUpPath: z.string().describe('where to `POST` the top-up'),
  })
  .meta({ id: 'Gateway' });

/**
 * `GET /api/v1/wallet`: balances, the wallet-form providers a top-up may use (`POST /api/v1/topups/{provider}`), the
 * gateways the owner has on (`POST /api/v1/gateway-topups/{rail}`), and the newest ledger entries.
 */
export const WalletResponse = z.strictObject({
  balances: z.array(z.strictObject({ amount: z.number().int(), currency: z.string(), formatted: z.string() })),
  providers: z.array(z.strictObject({ id: z.string(), kind: z.string() })),
  gateways: z.array(GatewayResponse),
  ledger: z.array(
    z.strictObject({
      id: Id,
      kind: z.string(),
      amount: z.number().int(),
      currency: z.string(),
      balanceAfter: z.number().int(),
      reference: z.string().nullable(),
      createdAt: Time,
    }),
  ),
  nextCursor: z.string().nullable(),
});

const SalesDay = z.looseObject({ day: z.string(), orders: z.number().int() });

/** `GET /api/v1/sales`: the SDK's sales figures for the days asked for (owners only). */
export const SalesResponse = z.looseObject({
  timeZone: z.string(),
  from: z.string(),
  to: z.string(),
  days: z.array(SalesDay),
  totals: z.looseObject({}),
});

/** What every owner-figures answer carries: the months' calendar and how fresh the figures are. */
const FiguresFreshness = {
  timeZone: z.string(),
  calendar: z.enum(['gregorian', 'jalali']),
  from: z.number().int().describe('first month, yyyymm in the figures’ calendar'),
  to: z.number().int().describe('last month, yyyymm, included'),
  foldedAt: z.string().nullable().describe('when the figures last took in changes (ISO 8601); null before the first fold'),
  pending: z.number().int().describe('changes waiting to be counted'),
  rebuilding: z.boolean().describe('the figures are being rebuilt: the numbers are partial'),
};

/** `GET /api/v1/figures/overview` (the SDK's `OwnerFiguresOverview`; money in minor units). */
export const FiguresOverviewResponse = z.looseObject({
  ...FiguresFreshness,
  scope: z.string(),
  cohorts: z.array(
    z.looseObject({
      cohort: z.number().int(),
      size: z.number().int(),
      ages: z.array(z.looseObject({ age: z.number().int(), buyers: z.number().int() })),
    }),
  ),
  cohortRevenue: z.array(z.looseObject({ cohort: z.number().int(), currency: z.string() })),
  months: z.array(z.looseObject({ month: z.number().int(), lapsed: z.number().int(), renewalRate: z.number().nullable() })),
  ltvBySource: z.array(z.looseObject({ source: z.string(), currency: z.string(), buyers: z.number().int() })),
  cash: z.array(z.looseObject({ month: z.number().int(), providerId: z.string(), currency: z.string(), net: z.number().int() })).nullable(),
});

/** `GET /api/v1/figures/churn` (the SDK's `ChurnFigures`). */
export const ChurnResponse = z.looseObject({
  ...FiguresFreshness,
  dimension: z.enum(['plan', 'location', 'storefront', 'source']),
  rows: z.array(z.strictObject({ month: z.number().int(), key: z.string(), lapsed: z.number().int() })),
});

/** `GET /api/v1/storefront`'s month: the SDK's split figures for this calendar month (`ResellerFigures`). */
const StorefrontMonth = z.looseObject({
  from: z.string().describe('the month’s first day, YYYY-MM-DD'),
  payoutsPaid: z.array(Money).describe('withdrawals paid to the reseller this month, per currency'),
  payoutsWaiting: z.array(Money).describe('withdrawals asked or approved and not paid yet, per currency (now, not only this month’s)'),
});

/** `GET /api/v1/storefront`: a reseller's own back office (the other fields are described in words). */
export const StorefrontOfficeResponse = z.looseObject({
  currency: z.string(),
  month: StorefrontMonth,
  payoutBalance: z.number().int().describe('what may still be asked, minor units of currency'),
  held: z.number().int().describe('month.payoutsWaiting in currency, minor units (0 when none): the same figure, kept for older clients'),
});

/** Every error: a stable code, a message in the caller's language, and per-field messages for a form's fields. */
export const ErrorResponse = z
  .strictObject({
    error: z.strictObject({
      code: z.string(),
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** An answer whose shape is described in words only (quotes carry the engine's own quote objects). */
export const DescribedObject = z.looseObject({});

/** One device on a subscription, as `deviceJson` writes it (what its app said; never its hardware id). */
export const DeviceResponse = z
  .strictObject({
    id: Id,
    name: z.string().describe('its model, else its app and platform, in the caller’s language'),
    platform: z.string().nullable().describe('lower-cased: android, ios, windows, macos, linux…'),
    osVersion: z.string().nullable(),
    model: z.string().nullable(),
    app: z.string().nullable(),
    appVersion: z.string().nullable(),
    firstSeenAt: Time,
    lastSeenAt: Time,
  })
  .meta({ id: 'Device' });

/** `GET /api/v1/subscriptions/:id/devices`: the devices and the limit they count against. */
export const DeviceListResponse = z
  .strictObject({
    subscriptionId: Id,
    limit: z.number().int().nullable().describe('null: no limit'),
    count: z.number().int(),
    noHwidPolicy: z.enum(['serve', 'refuse']).describe('what the link does with an app that sends no device id'),
    items: z.array(DeviceResponse),
  })
  .meta({ id: 'DeviceList' });

/** `POST /api/v1/subscriptions/:id/devices/:deviceId/remove`: the device removed and the devices left. */
export const DeviceRemovedResponse = DeviceListResponse.extend({ removed: DeviceResponse }).meta({ id: 'DeviceRemoved' });

/** `GET /api/v1/subscriptions/:id/devices/pack`: extra devices on offer for the subscription, or why none may be added now. */
export const DevicePackOfferResponse = z
  .strictObject({
    subscriptionId: Id,
    deviceLimit: z.number().int().nullable().describe('the limit now, extra devices included; null: no limit'),
    offer: z
      .strictObject({ pricePer30Days: Money, maxExtraDevices: z.number().int() })
      .nullable()
      .describe('the plan’s offer as sold; null: not offered'),
    extraDevices: z.number().int().describe('extra devices held now on top of the plan’s limit'),
    canAdd: z.number().int().describe('how many more may be added now'),
    unitPrice: Money.nullable().describe('one device for the time left (a pack of N costs N times it); null when none may be added'),
    until: z.string().nullable().describe('until when added devices are paid for: the subscription’s expiry'),
    refused: z.strictObject({ reason: z.string(), message: z.string() }).nullable(),
  })
  .meta({ id: 'DevicePackOffer' });

/** `POST /api/v1/subscriptions/:id/devices/pack`: the pack's order, what was charged (`null` on a replay) and the new limit. */
export const DevicePackBoughtResponse = z
  .strictObject({
    replayed: z.boolean(),
    order: z.strictObject({ id: Id, total: Money, devices: z.number().int() }),
    charged: Money.nullable(),
    deviceLimit: z.number().int().nullable(),
    until: z.string().nullable(),
  })
  .meta({ id: 'DevicePackBought' });

/** A saved payment method as the API shows it to its buyer: never the provider's reference. */
export const SavedMethodResponse = z.strictObject({
  id: z.string(),
  provider: z.string(),
  label: z.string(),
  allowRenewal: z.boolean(),
  createdAt: z.string(),
});

/** The caller's saved payment methods, oldest first. */
export const SavedMethodListResponse = z.strictObject({ methods: z.array(SavedMethodResponse) });

/** One saved payment method. */
export const OneSavedMethodResponse = z.strictObject({ method: SavedMethodResponse });
