import { Router } from 'express';
import { z } from 'zod';
import { requireAccount } from '../http/viewer.js';
import { ctxOf, viewerOf } from '../http/context.js';
import { parseOrThrow } from '../app/input/forms.js';
import { noticeFrom } from '../http/notice.js';
import { CUSTOMER_KINDS } from '../db/notification-kinds.js';
import { readingParams } from '../app/notifications/reading-params.js';
import { buyerNotificationChoices, saveBuyerNotificationChoices } from '../app/notifications/preferences.js';
import { notificationsOf } from '../db/notifications.js';
import type { Shop } from '../app/shop.js';
import { notificationsPage } from '../views/notifications-page.js';

const PAGE_SIZE = 50;

const Kind = z.enum(CUSTOMER_KINDS, { message: 'forms.invalid' });
/** The checked boxes: none (the field is absent), one (a string) or several. */
const PreferencesForm = z.object({
  send: z.union([Kind.transform((k) => [k]), z.array(Kind).max(CUSTOMER_KINDS.length)]).default([]),
});

/** `POST /api/v1/notification-settings`' body: the kinds the buyer wants (every other kind is turned off). */
export const NotificationSettingsBody = z.strictObject({ send: z.array(Kind).max(CUSTOMER_KINDS.length) });

/** The buyer's notifications page: history and per-kind opt-outs; and the same choices in the JSON API. */
export function notificationRoutes(shop: Shop): Router {
  const router = Router();
  const store = notificationsOf(shop);
  router.use('/account/notifications', requireAccount);

  router.get('/account/notifications', async (req, res) => {
    const customerId = viewerOf(res).customer.id;
    const cursor = typeof req.query['cursor'] === 'string' && req.query['cursor'].length <= 512 ? req.query['cursor'] : null;
    const history = await store.history(customerId, { limit: PAGE_SIZE, cursor });
    res.send(
      notificationsPage(ctxOf(res), {
        history: await Promise.all(history.items.map(async (n) => ({ ...n, params: await readingParams(shop, n, ctxOf(res).locale) }))),
        nextCursor: history.nextCursor,
        optedOut: await store.optedOut(customerId),
        timeZone: shop.config.timeZone,
        notice: noticeFrom(req),
      }).value,
    );
  });

  /** Saves which kinds to send; an unknown kind is a 400 and changes nothing. */
  router.post('/account/notifications', async (req, res) => {
    const form = parseOrThrow(PreferencesForm, req.body, ctxOf(res).t);
    await saveBuyerNotificationChoices(shop, viewerOf(res).customer.id, form.send);
    res.redirect(303, '/account/notifications?done=notifications.saved');
  });
  router.get('/api/v1/notification-settings', requireAccount, async (_req, res) => {
    res.json({ kinds: await buyerNotificationChoices(shop, viewerOf(res).customer.id) });
  });
  router.post('/api/v1/notification-settings', requireAccount, async (req, res) => {
    const body = parseOrThrow(NotificationSettingsBody, req.body, ctxOf(res).t);
    await saveBuyerNotificationChoices(shop, viewerOf(res).customer.id, body.send);
    res.json({ kinds: await buyerNotificationChoices(shop, viewerOf(res).customer.id) });
  });
  return router;
}
