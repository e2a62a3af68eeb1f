import { Router } from 'express';
import { requireAdmin } from '../../http/viewer.js';
import type { Shop } from '../../app/shop.js';
import { auditRoutes } from './audit.js';
import { backupRoutes } from './backup.js';
import { settingsRoutes } from './settings.js';
import { linkNoticeRoutes } from './link-notice.js';
import { growthRoutes } from './growth.js';
import { campaignAdminRoutes, type CampaignBot } from './campaigns.js';
import { giftSettingsRoutes } from './gift-settings.js';
import { paymentRailsRoutes } from './payment-rails.js';
import { signInProviderRoutes } from './sign-in-providers.js';
import { deliveryRoutes } from './deliveries.js';
import { referralSettingsRoutes } from '../referrals.js';
import { discountRoutes } from './discounts.js';
import { driftRoutes } from './drift.js';
import { orderRoutes } from './orders.js';
import { overviewRoutes } from './overview.js';
import { figuresCsvRoutes } from './figures.js';
import { panelRoutes } from './panels.js';
import { planRoutes } from './plans.js';
import { resellerRoutes } from './resellers.js';
import { storefrontRoutes } from './storefronts.js';
import { staffRoutes } from './staff.js';
import { subscriptionRoutes } from './subscriptions.js';
import { evacuationRoutes } from './evacuation.js';
import { importRoutes } from './import.js';
import { ticketRoutes } from './tickets.js';
import { trialRoutes } from './trials.js';
import { guardRoutes } from './guard.js';
import { locationRoutes } from './locations.js';

/**
 * The back office (overview, panels and targets, plans, orders, subscriptions, audit, failed deliveries, drift,
 * dry run, campaigns: `bot` gives their `t.me` links). Everything under `/admin` is for admins only: anonymous visitors are sent to sign
 * in (pages) or get 401, signed-in buyers get 403.
 */
export function adminRoutes(shop: Shop, bot: CampaignBot | null = null): Router {
  const router = Router();
  router.use('/admin', requireAdmin);
  for (const area of [
    overviewRoutes,
    figuresCsvRoutes,
    panelRoutes,
    planRoutes,
    orderRoutes,
    subscriptionRoutes,
    auditRoutes,
    deliveryRoutes,
    driftRoutes,
    staffRoutes,
    discountRoutes,
    referralSettingsRoutes,
    resellerRoutes,
    storefrontRoutes,
    backupRoutes,
    settingsRoutes,
    linkNoticeRoutes,
    growthRoutes,
    giftSettingsRoutes,
    paymentRailsRoutes,
    signInProviderRoutes,
    evacuationRoutes,
    importRoutes,
    ticketRoutes,
    trialRoutes,
    guardRoutes,
    locationRoutes,
  ])
    router.use(area(shop));
  router.use(campaignAdminRoutes(shop, bot));
  return router;
}
