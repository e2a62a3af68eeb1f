import { Router, type Request, type Response } from 'express';
import { requireRecentAuth } from '../../http/staff-security.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { noticeFrom } from '../../http/notice.js';
import { idParam } from '../../app/input/ids.js';
import { ShopError } from '../../app/shop-error.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { savePaymentRails, type PaymentRailsForm, type RailsFieldError } from '../../app/ops/payment-rails-settings.js';
import { cryptoBotSettings } from '../../app/payments/cryptobot/settings.js';
import { starsSettings } from '../../app/payments/stars/settings.js';
import { requestStarsRefund } from '../../app/payments/stars/refund.js';
import { parseGatewayRefundForm, requestGatewayRefund } from '../../app/payments/rails/gateway-refund.js';
import { formatMoney } from '../../i18n/format.js';
import { zarinpalSettings } from '../../app/payments/zarinpal/settings.js';
import { epaySettings } from '../../app/payments/epay/settings.js';
import { yookassaSettings } from '../../app/payments/yookassa/settings.js';
import { stripeSettings } from '../../app/payments/stripe/settings.js';
import { gatewayBase } from '../../config/public-addresses.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { paymentRailsBody } from '../../views/admin/payment-rails-page.js';
import { adminActor } from './shared.js';

/** The form as posted, every field a string cut to a length the checks then refuse past. */
function posted(body: Record<string, unknown>): PaymentRailsForm {
  const text = (name: string, max: number) => (typeof body[name] === 'string' ? (body[name] as string).slice(0, max) : '');
  return {
    starsEnabled: body['starsEnabled'] === 'on',
    starsRate: text('starsRate', 20),
    cryptobotEnabled: body['cryptobotEnabled'] === 'on',
    cryptobotBaseUrl: text('cryptobotBaseUrl', 300),
    cryptobotToken: text('cryptobotToken', 200),
    zarinpalEnabled: body['zarinpalEnabled'] === 'on',
    zarinpalBaseUrl: text('zarinpalBaseUrl', 300),
    zarinpalMerchantId: text('zarinpalMerchantId', 100),
    epayEnabled: body['epayEnabled'] === 'on',
    epayBaseUrl: text('epayBaseUrl', 300),
    epayPid: text('epayPid', 60),
    epayKey: text('epayKey', 200),
    epayMode: text('epayMode', 10),
    yookassaEnabled: body['yookassaEnabled'] === 'on',
    yookassaBaseUrl: text('yookassaBaseUrl', 300),
    yookassaShopId: text('yookassaShopId', 30),
    yookassaSecretKey: text('yookassaSecretKey', 200),
    yookassaReceipts: body['yookassaReceipts'] === 'on',
    yookassaVatCode: text('yookassaVatCode', 2),
    yookassaReceiptEmail: text('yookassaReceiptEmail', 254),
    stripeEnabled: body['stripeEnabled'] === 'on',
    stripeBaseUrl: text('stripeBaseUrl', 300),
    stripeSecretKey: text('stripeSecretKey', 300),
    stripeWebhookSecret: text('stripeWebhookSecret', 300),
  };
}

/**
 * `/admin/settings/payments` (the owner's, re-authenticated like the other settings): Telegram Stars with its rate,
 * CryptoBot, Zarinpal, EPay, YooKassa and Stripe with their keys (sealed, never shown back); and the owner's refund of a Stars payment.
 */
export function paymentRailsRoutes(shop: Shop): Router {
  const router = Router();
  const recentAuth = requireRecentAuth(shop.clock);

  async function render(req: Request, res: Response, status: number, values?: PaymentRailsForm, errors?: FieldErrors) {
    const ctx = ctxOf(res);
    const [stars, cryptobot, zarinpal, epay, yookassa, stripe] = await Promise.all([
      starsSettings(shop),
      cryptoBotSettings(shop),
      zarinpalSettings(shop),
      epaySettings(shop),
      yookassaSettings(shop),
      stripeSettings(shop),
    ]);
    const shown = values ?? {
      starsEnabled: stars?.enabled ?? false,
      starsRate: stars?.starsPerUnit ?? '',
      cryptobotEnabled: cryptobot?.enabled ?? false,
      cryptobotBaseUrl: cryptobot?.baseUrl ?? '',
      zarinpalEnabled: zarinpal?.enabled ?? false,
      zarinpalBaseUrl: zarinpal?.baseUrl ?? '',
      epayEnabled: epay?.enabled ?? false,
      epayBaseUrl: epay?.baseUrl ?? '',
      epayPid: epay?.pid ?? '',
      epayMode: epay?.mode ?? 'submit',
      yookassaEnabled: yookassa?.enabled ?? false,
      yookassaBaseUrl: yookassa?.baseUrl ?? '',
      yookassaShopId: yookassa?.shopId ?? '',
      yookassaReceipts: yookassa?.receipts ?? false,
      yookassaVatCode: String(yookassa?.vatCode ?? 1),
      yookassaReceiptEmail: yookassa?.receiptEmail ?? '',
      stripeEnabled: stripe?.enabled ?? false,
      stripeBaseUrl: stripe?.baseUrl ?? '',
    };
    const body = paymentRailsBody(ctx, {
      values: shown,
      stored: {
        cryptobotToken: cryptobot !== null,
        zarinpalMerchantId: zarinpal !== null,
        epayKey: epay !== null,
        yookassaSecretKey: yookassa !== null,
        stripeSecretKey: stripe !== null,
      },
      currency: shop.config.currency,
      webhookUrl: `${gatewayBase(shop.config)}/payments/cryptobot/webhook`,
      epayNotifyUrl: `${gatewayBase(shop.config)}/payments/epay/notify`,
      yookassaNotifyUrl: `${gatewayBase(shop.config)}/payments/yookassa/notify`,
      stripeWebhookUrl: `${gatewayBase(shop.config)}/payments/stripe/webhook`,
      errors,
    });
    res.status(status).send(adminPage(ctx, { title: ctx.t('payRails.settings.title'), notice: noticeFrom(req), body }).value);
  }

  router.get('/admin/settings/payments', recentAuth, (req, res) => render(req, res, 200));
  router.post('/admin/settings/payments', recentAuth, async (req, res) => {
    const form = posted(req.body as Record<string, unknown>);
    const saved = await savePaymentRails(shop, form, { ...adminActor(res), role: viewerOf(res).account.role });
    if (!saved.ok && 'reason' in saved) throw new ShopError('forbidden', 'errors.forbidden');
    if (!saved.ok) {
      const t = ctxOf(res).t;
      const message = (error: RailsFieldError) => (typeof error === 'string' ? t(error) : t(error.key, error.params));
      return render(req, res, 400, form, Object.fromEntries(Object.entries(saved.fields).map(([f, error]) => [f, message(error)])));
    }
    res.redirect(303, '/admin/settings/payments?done=payRails.settings_saved');
  });

  // The owner gives (part of) a gateway payment back at the gateway: each form (its nonce) one refund.
  router.post('/admin/payments/:id/refund-gateway', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body['confirm'] !== 'yes') throw new ShopError('invalid_input', 'receiptsQueue.errors.confirm');
    const { account } = viewerOf(res);
    const payment = await shop.kit.payments.get(idParam(req));
    if (payment === null) throw new ShopError('not_found', 'errors.notFound');
    const asked = parseGatewayRefundForm(payment.id, body, payment.currency);
    if (!asked.ok) throw new ShopError('invalid_input', asked.messageKey, {}, { [asked.field]: asked.messageKey });
    const done = await requestGatewayRefund(shop, {
      paymentId: payment.id,
      staff: { accountId: account.id, role: account.role },
      requestKey: asked.requestKey,
      ...(asked.amount === undefined ? {} : { amount: asked.amount }),
    });
    if (!done.ok && done.reason === 'forbidden') throw new ShopError('forbidden', 'errors.forbidden');
    if (!done.ok && done.reason === 'not_found') throw new ShopError('not_found', 'errors.notFound');
    if (!done.ok && done.reason === 'exceeds') {
      const left = formatMoney({ amount: done.left, currency: payment.currency }, ctxOf(res).locale);
      throw new ShopError('invalid_input', 'payRails.refund.gatewayExceeds', { left });
    }
    const notice = done.ok ? 'gateway_refund_queued' : done.reason === 'spent' ? 'refund_spent' : 'gateway_refund_refused';
    res.redirect(303, `/admin/receipts?status=approved&done=payRails.${notice}`);
  });

  router.post('/admin/payments/:id/refund-stars', async (req, res) => {
    if ((req.body as Record<string, unknown> | undefined)?.['confirm'] !== 'yes')
      throw new ShopError('invalid_input', 'receiptsQueue.errors.confirm');
    const { account } = viewerOf(res);
    const done = await requestStarsRefund(shop, { paymentId: idParam(req), staff: { accountId: account.id, role: account.role } });
    if (!done.ok && done.reason === 'forbidden') throw new ShopError('forbidden', 'errors.forbidden');
    if (!done.ok && done.reason === 'not_found') throw new ShopError('not_found', 'errors.notFound');
    const notice = done.ok ? 'refund_queued' : done.reason === 'spent' ? 'refund_spent' : 'refund_refused';
    res.redirect(303, `/admin/receipts?status=approved&provider=stars&done=payRails.${notice}`);
  });
  return router;
}
