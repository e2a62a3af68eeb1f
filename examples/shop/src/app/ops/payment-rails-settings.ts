import type { Actor } from '@panelkit/sdk';
import type { AccountRole } from '../../db/accounts.js';
import { cryptoBotSettings, saveCryptoBotSettings } from '../payments/cryptobot/settings.js';
import { CRYPTOBOT_FIATS } from '../payments/cryptobot/provider.js';
import { saveStarsSettings, starsSettings, STARS_RATE_PATTERN } from '../payments/stars/settings.js';
import { saveZarinpalSettings, zarinpalSettings } from '../payments/zarinpal/settings.js';
import { checkEpayKey, EPAY_MODES, type EpayMode } from '../payments/epay/api.js';
import { EPAY_CURRENCY } from '../payments/epay/provider.js';
import { epaySettings, saveEpaySettings } from '../payments/epay/settings.js';
import { YOOKASSA_CURRENCY } from '@panelkit/payment-providers/yookassa';
import { stripeTakes } from '@panelkit/payment-providers/stripe';
import { saveStripeSettings, stripeSettings } from '../payments/stripe/settings.js';
import { saveYooKassaSettings, YOOKASSA_VAT_CODES, yookassaSettings } from '../payments/yookassa/settings.js';
import type { Shop } from '../shop.js';

/** The payment gateways' settings form as posted: a key left empty keeps the stored one (keys are never shown back). */
export interface PaymentRailsForm {
  starsEnabled: boolean;
  starsRate: string;
  cryptobotEnabled: boolean;
  cryptobotBaseUrl: string;
  cryptobotToken: string;
  zarinpalEnabled: boolean;
  zarinpalBaseUrl: string;
  zarinpalMerchantId: string;
  epayEnabled: boolean;
  epayBaseUrl: string;
  epayPid: string;
  epayKey: string;
  epayMode: string;
  yookassaEnabled: boolean;
  yookassaBaseUrl: string;
  yookassaShopId: string;
  yookassaSecretKey: string;
  yookassaReceipts: boolean;
  yookassaVatCode: string;
  /** Where receipts of buyers without an e-mail or phone go (the owner's address; blank: such buyers cannot pay by YooKassa with receipts on). */
  yookassaReceiptEmail?: string;
  /** Stripe: on/off, the API address, the secret key and the webhook signing secret (blank keys keep the stored ones). */
  stripeEnabled?: boolean;
  stripeBaseUrl?: string;
  stripeSecretKey?: string;
  stripeWebhookSecret?: string;
}

/** An e-mail address YooKassa takes for a receipt (one @, no spaces, a dot in the domain). */
const RECEIPT_EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,63}$/;

/** A refused field's message: its key, with the values it names where it has any. */
export type RailsFieldError = string | { key: string; params: Record<string, string> };

/** What saving came to: saved, or the fields refused (messages); nothing is saved then. */
export type SavePaymentRailsResult =
  | { ok: true }
  | { ok: false; reason: 'forbidden' }
  | { ok: false; fields: Record<string, RailsFieldError> };

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** The gateway's settings as the form asks: `null` when nothing of it was given (left as stored), else checked. */
function wanted(enabled: boolean, baseUrl: string, key: string, storedKey: string | null, currencyFits: boolean) {
  const secret = key || storedKey || '';
  if (!enabled && baseUrl === '' && key === '') return { ok: true as const, value: null };
  if (baseUrl === '' || secret === '' || !isHttpUrl(baseUrl)) return { ok: false as const, message: 'payRails.settings.errors.incomplete' };
  if (enabled && !currencyFits) return { ok: false as const, message: 'payRails.settings.errors.currency' };
  return { ok: true as const, value: { enabled, baseUrl, secret } };
}

/**
 * The owner saves the payment gateways: Telegram Stars (on/off and the rate in Stars per unit of the shop's
 * currency), CryptoBot (address and API token), Zarinpal (address and merchant id), EPay (gateway address,
 * merchant id, merchant key, and whether buyers go to its cashier page or get a link/QR code from its API) and
 * YooKassa (address, shop id, secret key, and the 54-FZ receipt with its VAT code and the owner's address for
 * receipts of buyers who gave no contact). Keys are sealed at rest
 * (`shop_settings`); an empty key keeps the stored one. Only the owner; audited as `settings.saved` with which
 * gateways changed, never a key. A bad field refuses the whole form, and so does an EPay turned on whose gateway
 * refuses its merchant id and key (`epayKey`, with the gateway's word) or cannot be asked (`epayBaseUrl`).
 */
export async function savePaymentRails(
  shop: Shop,
  form: PaymentRailsForm,
  actor: Actor & { role: AccountRole },
): Promise<SavePaymentRailsResult> {
  if (actor.role !== 'admin') return { ok: false, reason: 'forbidden' };
  const fields: Record<string, string> = {};
  const rate = form.starsRate.trim();
  if ((form.starsEnabled || rate !== '') && (!STARS_RATE_PATTERN.test(rate) || Number(rate) <= 0))
    fields['starsRate'] = 'payRails.settings.errors.rate';
  const [cryptobotNow, zarinpalNow, epayNow, yookassaNow, stripeNow] = await Promise.all([
    cryptoBotSettings(shop),
    zarinpalSettings(shop),
    epaySettings(shop),
    yookassaSettings(shop),
    stripeSettings(shop),
  ]);
  const currency = shop.config.currency;
  const cryptobot = wanted(
    form.cryptobotEnabled,
    form.cryptobotBaseUrl.trim(),
    form.cryptobotToken.trim(),
    cryptobotNow?.token ?? null,
    CRYPTOBOT_FIATS.has(currency),
  );
  if (!cryptobot.ok) fields['cryptobotBaseUrl'] = cryptobot.message;
  const zarinpal = wanted(
    form.zarinpalEnabled,
    form.zarinpalBaseUrl.trim(),
    form.zarinpalMerchantId.trim(),
    zarinpalNow?.merchantId ?? null,
    currency === 'IRR',
  );
  if (!zarinpal.ok) fields['zarinpalBaseUrl'] = zarinpal.message;
  const epay = wanted(form.epayEnabled, form.epayBaseUrl.trim(), form.epayKey.trim(), epayNow?.key ?? null, currency === EPAY_CURRENCY);
  if (!epay.ok) fields['epayBaseUrl'] = epay.message;
  const pid = form.epayPid.trim();
  if (epay.ok && epay.value !== null && !/^[A-Za-z0-9_-]{1,40}$/.test(pid)) fields['epayPid'] = 'payRails.settings.errors.pid';
  const mode = (EPAY_MODES as readonly string[]).includes(form.epayMode) ? (form.epayMode as EpayMode) : 'submit';
  const yookassa = wanted(
    form.yookassaEnabled,
    form.yookassaBaseUrl.trim(),
    form.yookassaSecretKey.trim(),
    yookassaNow?.secretKey ?? null,
    currency === YOOKASSA_CURRENCY,
  );
  if (!yookassa.ok) fields['yookassaBaseUrl'] = yookassa.message;
  const shopId = form.yookassaShopId.trim();
  if (yookassa.ok && yookassa.value !== null && !/^\d{1,20}$/.test(shopId)) fields['yookassaShopId'] = 'payRails.settings.errors.shopId';
  const vatCode = Number(form.yookassaVatCode || '1');
  if (!(YOOKASSA_VAT_CODES as readonly number[]).includes(vatCode)) fields['yookassaVatCode'] = 'payRails.settings.errors.vatCode';
  const receiptEmail = (form.yookassaReceiptEmail ?? '').trim();
  if (receiptEmail !== '' && !RECEIPT_EMAIL.test(receiptEmail)) fields['yookassaReceiptEmail'] = 'payRails.settings.errors.receiptEmail';
  const stripe = wanted(
    form.stripeEnabled ?? false,
    (form.stripeBaseUrl ?? '').trim(),
    (form.stripeSecretKey ?? '').trim(),
    stripeNow?.secretKey ?? null,
    stripeTakes(currency),
  );
  if (!stripe.ok) fields['stripeBaseUrl'] = stripe.message;
  const webhookSecret = (form.stripeWebhookSecret ?? '').trim() || stripeNow?.webhookSecret || '';
  if (stripe.ok && stripe.value !== null && !/^whsec_\S{8,200}$/.test(webhookSecret))
    fields['stripeWebhookSecret'] = 'payRails.settings.errors.incomplete';
  if (Object.keys(fields).length > 0 || !cryptobot.ok || !zarinpal.ok || !epay.ok || !yookassa.ok || !stripe.ok)
    return { ok: false, fields };
  // EPay's cashier checks the key only once a buyer is on it ("signature check failed"): the gateway is asked now.
  if (epay.value?.enabled === true) {
    const checked = await checkEpayKey({ baseUrl: epay.value.baseUrl, pid, key: epay.value.secret, mode });
    if (!checked.ok && checked.problem === 'key_refused')
      return {
        ok: false,
        fields: { epayKey: { key: 'payRails.settings.errors.epayKeyRefused', params: { said: checked.said.slice(0, 200) } } },
      };
    if (!checked.ok) return { ok: false, fields: { epayBaseUrl: 'payRails.settings.errors.epayUnreachable' } };
  }

  const now = shop.clock.now();
  const by = actor.id;
  const starsBefore = await starsSettings(shop);
  const stars = rate === '' && !form.starsEnabled ? null : { enabled: form.starsEnabled, starsPerUnit: rate };
  if (stars !== null) await saveStarsSettings(shop, stars, now, by);
  if (cryptobot.value !== null) await saveCryptoBotSettings(shop, { ...cryptobot.value, token: cryptobot.value.secret }, now, by);
  if (zarinpal.value !== null) await saveZarinpalSettings(shop, { ...zarinpal.value, merchantId: zarinpal.value.secret }, now, by);
  if (epay.value !== null)
    await saveEpaySettings(shop, { enabled: epay.value.enabled, baseUrl: epay.value.baseUrl, pid, mode, key: epay.value.secret }, now, by);
  if (yookassa.value !== null) {
    const { enabled, baseUrl, secret } = yookassa.value;
    await saveYooKassaSettings(
      shop,
      { enabled, baseUrl, shopId, receipts: form.yookassaReceipts, vatCode, receiptEmail, secretKey: secret },
      now,
      by,
    );
  }
  if (stripe.value !== null) {
    const { enabled, baseUrl, secret } = stripe.value;
    await saveStripeSettings(shop, { enabled, baseUrl, secretKey: secret, webhookSecret }, now, by);
  }
  await shop.storage.audit.append({
    actor: { type: actor.type, id: actor.id },
    action: 'settings.saved',
    subjectType: 'shop',
    subjectId: 'settings',
    data: {
      stars: stars === null ? null : { enabled: stars.enabled, rate: stars.starsPerUnit, before: starsBefore?.starsPerUnit ?? null },
      cryptobot: cryptobot.value === null ? null : { enabled: cryptobot.value.enabled, keyChanged: form.cryptobotToken.trim() !== '' },
      zarinpal: zarinpal.value === null ? null : { enabled: zarinpal.value.enabled, keyChanged: form.zarinpalMerchantId.trim() !== '' },
      epay: epay.value === null ? null : { enabled: epay.value.enabled, mode, keyChanged: form.epayKey.trim() !== '' },
      yookassa:
        yookassa.value === null
          ? null
          : { enabled: yookassa.value.enabled, receipts: form.yookassaReceipts, vatCode, keyChanged: form.yookassaSecretKey.trim() !== '' },
      stripe:
        stripe.value === null
          ? null
          : {
              enabled: stripe.value.enabled,
              keyChanged: (form.stripeSecretKey ?? '').trim() !== '',
              webhookSecretChanged: (form.stripeWebhookSecret ?? '').trim() !== '',
            },
    },
  });
  return { ok: true };
}
