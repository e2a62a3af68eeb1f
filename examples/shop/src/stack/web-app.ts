import { giftApiRoutes, giftRoutes } from '../routes/gifts.js';
import { ownSubscriptionRoutes } from '../routes/own-subscriptions.js';
import { familyRoutes } from '../routes/family.js';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { referralRoutes } from '../routes/referrals.js';
import { campaignRoutes } from '../routes/campaigns.js';
import cookieParser from 'cookie-parser';
import express, { type Express, type Request, type Router } from 'express';
import helmet from 'helmet';
import { requestLog } from '../logging/request-log.js';
import { csrfCookie, csrfProtection } from '../http/csrf.js';
import { loadViewer } from '../http/viewer.js';
import { adminRoutes } from '../routes/admin/index.js';
import { cryptoCallbackRoutes, cryptoPaymentRoutes, invoiceRoutes } from '../routes/crypto-payments.js';
import { gatewayRailRoutes, gatewayWebhookRoutes } from '../routes/gateway-rails.js';
import { apiV1Routes } from '../routes/api/v1.js';
import { openApiRoutes } from '../routes/api/openapi.js';
import { salesApiRoutes } from '../routes/api/sales.js';
import { figuresApiRoutes } from '../routes/api/figures.js';
import { storefrontFiguresRoutes } from '../routes/storefront-figures.js';
import { trialRefusalsApiRoutes } from '../routes/api/trial-refusals.js';
import { apiTokenRoutes } from '../routes/api-tokens.js';
import { authRoutes } from '../routes/auth.js';
import { credentialRoutes } from '../routes/credentials.js';
import { signInCodeRoutes } from '../routes/sign-in-code.js';
import { oidcRoutes } from '../routes/oidc.js';
import { addEmailRoutes } from '../routes/add-email.js';
import { shopChannels } from './notification-channels.js';
import { storefrontAddressRoutes } from '../routes/storefront-address.js';
import { catalogRoutes } from '../routes/catalog.js';
import { adminCustomersRoutes } from '../routes/admin/customers.js';
import { adminPasswordResetRoutes } from '../routes/admin/password-reset.js';
import { adminReceiptsRoutes } from '../routes/admin/receipts.js';
import { walletApiRoutes } from '../routes/api/wallet.js';
import { gatewayTopUpApiRoutes } from '../routes/api/gateway-topups.js';
import { starsTopUpApiRoutes } from '../routes/api/stars-topups.js';
import { starsRoutes } from '../routes/stars.js';
import { sellingApiRoutes } from '../routes/api/selling.js';
import { planBuilderApiRoutes } from '../routes/api/plan-builder.js';
import { sharingApiRoutes } from '../routes/api/sharing.js';
import { deviceApiRoutes } from '../routes/api/devices.js';
import { devicePackApiRoutes } from '../routes/api/device-packs.js';
import { checkoutRoutes } from '../routes/checkout.js';
import { extensionRoutes } from '../routes/extension.js';
import { planChangeRoutes } from '../routes/plan-change.js';
import { trafficRoutes } from '../routes/traffic.js';
import { devicePackRoutes } from '../routes/device-packs.js';
import { healthRoutes } from '../routes/health.js';
import { notificationRoutes } from '../routes/notifications.js';
import { staffSecurityRoutes } from '../routes/staff-security.js';
import { subscriptionLinkRoutes } from '../routes/subscription-link.js';
import { appOpenRoutes } from '../routes/app-open.js';
import type { LinkGate } from '@panelkit/subscription-feed';
import { subscriptionRoutes } from '../routes/subscriptions.js';
import { walletRoutes } from '../routes/wallet.js';
import type { Shop } from '../app/shop.js';
import type { ShopBot } from '../telegram/bot.js';
import type { StorefrontBotRuntime } from '../telegram/storefront/runtime.js';
import { telegramLinkRoutes } from '../routes/telegram-link.js';
import { errorHandler } from '../routes/error-handler.js';
import { ShopError } from '../app/shop-error.js';
import { refuseNulText } from '../app/input/nul-text.js';
import { isCheckoutReplay } from '../http/checkout-replays.js';
import { createMetrics } from '../http/metrics.js';
import { supportRoutes } from '../routes/support.js';
import { createRateLimits, DEFAULT_RATE_LIMITS, type RateLimitOptions, type RateLimits } from '../http/rate-limits.js';
import { resellerAccountRoutes } from '../routes/reseller-account.js';
import { storefrontOfficeRoutes } from '../routes/storefront-office.js';
import { storefrontBotOfficeRoutes } from '../routes/storefront-bot-office.js';
import { storefrontBotHealth } from '../app/storefronts/bot-health-source.js';
import { miniAppRoutes } from '../routes/mini-app.js';
import { embeddableByTelegram, TELEGRAM_WEB_ORIGIN } from '../http/mini-app-framing.js';

const PUBLIC_DIR = resolve(import.meta.dirname, '../../public');
/** uPlot's browser build and stylesheet, served by the shop itself so the CSP can stay 'self' only. */
const UPLOT_DIR = resolve(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');

export interface AppOptions {
  rateLimits?: RateLimitOptions;
  /** The Telegram bot, when configured: its webhook route and the account page's deep link. */
  telegram?: ShopBot;
  /** Every storefront's bot (issue 70): their webhooks, `/telegram/<bot id>/webhook`. */
  storefrontBots?: StorefrontBotRuntime;
  /** Further checks the buyer's link runs for client apps before serving real links: see `LinkGate` in `@panelkit/subscription-feed`. */
  linkGates?: readonly LinkGate[];
}

/**
 * Each area of the shop adds its routes here (they run after the viewer and CSRF checks). The buyer's link
 * (`/s/…`, what client apps refresh) comes first: no other area answers or guards a path under `/s/`
 * (`link-route-order.test.ts`), so a refresh does not walk every other area's routes on its way.
 */
function areaRoutes(shop: Shop, limits: RateLimits, telegram: ShopBot | null, linkGates: readonly LinkGate[]): Router[] {
  return [
    subscriptionLinkRoutes(shop, limits, linkGates),
    appOpenRoutes(shop, limits),
    telegramLinkRoutes(shop, telegram),
    authRoutes(shop, limits),
    signInCodeRoutes(shop, limits),
    oidcRoutes(shop, limits),
    addEmailRoutes(shop, limits),
    credentialRoutes(shop, limits, shopChannels(shop).list),
    staffSecurityRoutes(shop, limits),
    storefrontAddressRoutes(shop),
    catalogRoutes(shop),
    checkoutRoutes(shop, limits),
    subscriptionRoutes(shop),
    ownSubscriptionRoutes(shop, limits),
    familyRoutes(shop),
    extensionRoutes(shop, limits),
    trafficRoutes(shop, limits),
    devicePackRoutes(shop, limits),
    planChangeRoutes(shop, limits),
    walletRoutes(shop),
    cryptoPaymentRoutes(shop),
    gatewayRailRoutes(shop),
    starsRoutes(shop),
    invoiceRoutes(shop),
    referralRoutes(shop, telegram),
    campaignRoutes(shop),
    giftRoutes(shop, limits),
    giftApiRoutes(shop, limits),
    resellerAccountRoutes(shop),
    storefrontOfficeRoutes(shop, { botHealth: storefrontBotHealth(shop) }),
    storefrontFiguresRoutes(shop),
    storefrontBotOfficeRoutes(shop),
    apiTokenRoutes(shop),
    notificationRoutes(shop),
    supportRoutes(shop),
    openApiRoutes(shop),
    apiV1Routes(shop, limits),
    sellingApiRoutes(shop, limits),
    planBuilderApiRoutes(shop, limits),
    sharingApiRoutes(shop),
    deviceApiRoutes(shop),
    devicePackApiRoutes(shop, limits),
    walletApiRoutes(shop),
    gatewayTopUpApiRoutes(shop),
    starsTopUpApiRoutes(shop),
    salesApiRoutes(shop),
    figuresApiRoutes(shop),
    trialRefusalsApiRoutes(shop),
    adminReceiptsRoutes(shop),
    adminCustomersRoutes(shop),
    adminPasswordResetRoutes(shop),
    adminRoutes(shop, telegram === null ? null : { username: () => telegram.username() }),
  ];
}

/**
 * The shop's Express app: security headers, request logs with secrets redacted, static assets,
 * bodies (small, parsed strictly), the viewer and language, CSRF on every state change, the
 * areas' routes, and one error handler that answers in the caller's language.
 */
export function createApp(shop: Shop, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', shop.config.trustProxy ? 1 : false);
  app.set('query parser', 'simple');
  const metrics = createMetrics(shop);
  const embeddable = embeddableByTelegram(shop.config);
  // Each request's line (a subscription link's token left out); serialized only when the level writes it.
  const httpLog = requestLog(shop.logger.child({ component: 'http' }));

  // Telegram's posts first, past only the request log and metrics: they carry their own secret header (not a session
  // or CSRF token) and a JSON body of their own size, and a bot's answer needs none of the pages' headers.
  if (options.telegram !== undefined) app.use(options.telegram.webhookRoutes([httpLog, metrics.middleware]));
  if (options.storefrontBots !== undefined) app.use(options.storefrontBots.webhookRoutes([httpLog, metrics.middleware]));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          formAction: ["'self'"],
          // Telegram Web shows the Mini App in an iframe on its own site: buyer pages may be framed there, nowhere else.
          frameAncestors: [(req) => (embeddable(req as Request) ? TELEGRAM_WEB_ORIGIN : "'none'")],
          upgradeInsecureRequests: shop.config.secureCookies ? [] : null,
        },
      },
      strictTransportSecurity: shop.config.secureCookies,
    }),
  );
  app.use(httpLog);
  // Where CSP's frame-ancestors lets Telegram Web frame a page, the older header must not forbid it.
  app.use((req, res, next) => {
    if (embeddable(req)) res.removeHeader('X-Frame-Options');
    next();
  });
  app.use(metrics.middleware);
  app.use('/assets', express.static(PUBLIC_DIR, { maxAge: '1h', index: false }));
  app.use('/assets/vendor/uplot', express.static(UPLOT_DIR, { maxAge: '1h', index: false }));
  // Every page past the assets is per viewer and may carry a secret (a subscription link, an API token, a
  // CSRF token): no cache keeps it, so after sign-out Back shows nothing.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(healthRoutes(shop, metrics.registry));
  // The crypto gateway's callbacks carry their own signature, not a session or CSRF token.
  app.use(cryptoCallbackRoutes(shop));
  app.use(gatewayWebhookRoutes(shop));
  // The owner's plan form carries every part a built plan prices (a unit price, least, most and step each) and a
  // preferred-target choice per target beside the rest: more fields than any other form. Its pages take more of
  // them (the parser below then skips the parsed body); every other form stays at 50.
  app.use('/admin/plans', express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 500 }));
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }));
  app.use(express.json({ limit: '64kb' }));
  app.use(refuseNulText());
  app.use(cookieParser());
  app.use(csrfCookie({ secure: shop.config.secureCookies }));
  app.use(loadViewer(shop));
  // The Mini App's sign-in is guarded by Telegram's signature and its JSON-only body, not a CSRF token (see there).
  app.use(miniAppRoutes(shop));
  app.use(csrfProtection());

  const limits = createRateLimits(options.rateLimits ?? DEFAULT_RATE_LIMITS, isCheckoutReplay(shop));
  for (const router of areaRoutes(shop, limits, options.telegram ?? null, options.linkGates ?? [])) app.use(router);

  app.use((_req, _res, next) => next(new ShopError('not_found', 'errors.notFound')));
  app.use(errorHandler(shop));
  return app;
}
