import { Router } from 'express';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { ShopError } from '../app/shop-error.js';
import { noticeFrom } from '../http/notice.js';
import { setBuyerAutoRenew } from '../app/subscriptions/auto-renew.js';
import { devicesOf, removeBuyerDevice } from '../app/devices/subscription-devices.js';
import { devicePackOfferOf } from '../app/devices/device-packs.js';
import { newIdempotencyKey } from '../app/subscriptions/idempotency.js';
import { HAS_REMOTE_CLIENT } from '@panelkit/sdk';
import type { Shop } from '../app/shop.js';
import { ownedSubscription } from '../app/subscriptions/owned.js';
import { planName, planNames } from '../app/subscriptions/plan-names.js';
import { dashboardPage } from '../views/dashboard-page.js';
import { qrDataUrl } from '../views/qr-code.js';
import { subscriptionPage } from '../views/subscription-page.js';
import { buyerLinkOf } from '../app/subscriptions/buyer-link.js';
import { ownLinkOf } from '../app/subscriptions/own-link.js';
import { telegramIsLinked } from '../app/auth/telegram-buyers.js';
import { canAddEmail } from '../app/auth/add-email.js';
import { canSendEmailCodes } from '../app/auth/email-codes.js';
import { appButtonsOf } from '../app/subscriptions/app-buttons.js';
import { subscriptionLinkVersionOf } from '../app/subscriptions/rotate-link.js';
import { familyPlaceOf } from '../app/subscriptions/family-place.js';
import { locationsOfPlan } from '../app/selling/plan-locations.js';
import { deliveredByLink } from '../app/kinds/part-delivery.js';
import { partDeliveryViews } from '../views/part-delivery-views.js';
import { guardStepShown } from '../app/guard/buyer-guard.js';

const PAGE_SIZE = 50;

export function subscriptionRoutes(shop: Shop): Router {
  const router = Router();

  router.get('/dashboard', requireAccount, async (req, res) => {
    const viewer = viewerOf(res);
    const cursor = typeof req.query['cursor'] === 'string' && req.query['cursor'].length <= 512 ? req.query['cursor'] : null;
    const listed = await shop.storage.subscriptions.listByCustomer(viewer.customer.id, { limit: PAGE_SIZE, cursor });
    const linkUrl = listed.items.length === 0 ? null : await buyerLinkOf(shop, viewer.customer.id);
    res.send(
      dashboardPage(ctxOf(res), {
        subscriptions: listed.items,
        planNames: await planNames(shop, listed.items, ctxOf(res).locale, ctxOf(res).storefront?.planNames),
        nextCursor: listed.nextCursor,
        shopLink:
          linkUrl === null
            ? null
            : {
                url: linkUrl,
                version: await subscriptionLinkVersionOf(shop, viewer.customer.id),
                qr: await qrDataUrl(linkUrl),
                apps: await appButtonsOf(shop, viewer.customer.id),
              },
        timeZone: shop.config.timeZone,
        notice: noticeFrom(req),
        telegram: shop.config.telegram === null ? 'off' : (await telegramIsLinked(shop, viewer.customer.id)) ? 'linked' : 'offer',
        addEmail: canSendEmailCodes(shop) && canAddEmail(viewer.account),
        deliveries: linkUrl === null ? new Map() : await partDeliveryViews(listed.items, linkUrl, { qr: false }),
      }).value,
    );
  });

  router.get('/subscriptions/:id', requireAccount, async (req, res) => {
    const sub = await ownedSubscription(shop, viewerOf(res), req.params.id);
    // This subscription's own link: the account's (the dashboard's) would add every other subscription to the device too.
    const linkUrl = await ownLinkOf(shop, sub.customerId, sub.id);
    // The own link serves the part's whole bundle: the zip holds every config of it.
    // An ended part is no longer among its bundle's live parts: it is shown alone.
    const live = deliveredByLink(sub) ? [] : await shop.kit.bundleParts(sub.id);
    const delivery = deliveredByLink(sub)
      ? null
      : ((await partDeliveryViews(live.some((p) => p.id === sub.id) ? live : [sub], linkUrl, { qr: true })).get(sub.id) ?? null);
    res.send(
      subscriptionPage(ctxOf(res), {
        sub,
        planName: await planName(shop, sub.planId, ctxOf(res).locale, ctxOf(res).storefront?.planNames),
        link: { url: linkUrl, qr: await qrDataUrl(linkUrl) },
        changeInFlight: await shop.kit.changeInFlight(sub.id),
        pendingReason: await shop.kit.pendingReason(sub),
        now: shop.clock.now(),
        timeZone: shop.config.timeZone,
        notice: noticeFrom(req),
        devices: HAS_REMOTE_CLIENT.has(sub.status) ? await devicesOf(shop, sub) : null,
        devicePack: HAS_REMOTE_CLIENT.has(sub.status)
          ? { offer: await devicePackOfferOf(shop, sub), idempotencyKey: newIdempotencyKey() }
          : null,
        family: await familyPlaceOf(shop, sub),
        movable: ((await locationsOfPlan(shop, sub.planId)) ?? []).length > 1,
        delivery,
        guardStep: await guardStepShown(shop, sub.id),
      }).value,
    );
  });
  router.post('/subscriptions/:id/devices/:deviceId/remove', requireAccount, async (req, res) => {
    const { left } = await removeBuyerDevice(shop, viewerOf(res).customer.id, req.params['id'], req.params['deviceId']);
    res.redirect(303, `/subscriptions/${left.subscription.id}?done=devices.removed#devices`);
  });
  router.post('/subscriptions/:id/auto-renew', requireAccount, async (req, res) => {
    const enabled = (req.body as Record<string, unknown> | undefined)?.['enabled'];
    if (enabled !== 'on' && enabled !== 'off') throw new ShopError('invalid_input', 'forms.invalid');
    const outcome = await setBuyerAutoRenew(shop, viewerOf(res).customer.id, String(req.params['id'] ?? ''), enabled === 'on');
    if (!outcome.ok)
      throw outcome.reason === 'not_found'
        ? new ShopError('not_found', 'errors.notFound')
        : new ShopError('conflict', `subscription.autoRenewRefused.${outcome.reason}`);
    res.redirect(303, `/subscriptions/${outcome.subscription.id}?done=subscription.auto_renew_${enabled}`);
  });
  return router;
}
