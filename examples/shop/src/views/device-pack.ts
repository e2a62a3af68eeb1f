import type { DevicePackOfferView } from '../app/devices/device-packs.js';
import type { RequestContext } from '../http/context.js';
import { formatDate, formatMoney, formatNumber } from '../i18n/format.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

/** The offer in words: the price per 30 days, the most extra devices, how many the subscription holds. */
function offerText(ctx: RequestContext, view: DevicePackOfferView): string {
  const { t, locale } = ctx;
  if (view.offer === null) return t('devicePacks.reasons.not_offered');
  return t('devicePacks.offer', {
    price: formatMoney(view.offer.pricePer30Days, locale),
    max: formatNumber(view.offer.maxExtraDevices, locale),
    extra: formatNumber(view.extraDevices, locale),
  });
}

/**
 * "Add devices": the offer, and (when devices may be added now) a form choosing how many, each choice priced for the
 * time left, paid from the wallet. The form carries its idempotency key, so a double submit buys once.
 */
export function devicePackForm(ctx: RequestContext, view: DevicePackOfferView, idempotencyKey: string, timeZone: string): SafeHtml {
  const { t, locale } = ctx;
  const sub = view.subscription;
  const until = view.until === null ? '' : formatDate(view.until, locale, timeZone);
  const choices = Array.from({ length: view.canAdd }, (_, i) => i + 1);
  const unit = view.unitPrice;
  return html`<div class="stack" data-testid="device-pack" data-can-add="${view.canAdd}">
  <h3>${t('devicePacks.title')}</h3>
  <p>${offerText(ctx, view)}</p>
  ${
    unit === null || view.canAdd === 0
      ? html`<p class="muted" data-testid="device-pack-refused" data-reason="${view.reason ?? 'above_maximum'}">${t(`devicePacks.reasons.${view.reason ?? 'above_maximum'}`)}</p>`
      : html`<p class="muted">${t('devicePacks.prorated', { price: formatMoney(unit, locale), until })} ${t('devicePacks.renewal')}</p>
  <form method="post" action="/subscriptions/${sub.id}/devices/add" class="inline" data-testid="device-pack-form">
    ${csrfField(ctx)}<input type="hidden" name="idempotencyKey" value="${idempotencyKey}">
    <label>${t('devicePacks.devices')} <select name="devices" data-testid="device-pack-devices">${choices.map(
      (n) =>
        html`<option value="${n}">${t('devicePacks.choice', { devices: formatNumber(n, locale), price: formatMoney({ amount: unit.amount * n, currency: unit.currency }, locale) })}</option>`,
    )}</select></label>
    <button type="submit" class="small" data-testid="device-pack-buy">${t('devicePacks.pay')}</button>
  </form>`
  }
</div>`;
}

/** The page `GET /subscriptions/:id/devices/add` shows, and a refused purchase answers with (its problem said, a top-up link when the wallet is short). */
export function devicePackPage(
  ctx: RequestContext,
  view: {
    offer: DevicePackOfferView;
    planName: string;
    idempotencyKey: string;
    problem: string | null;
    shortOfFunds: boolean;
    timeZone: string;
  },
): SafeHtml {
  const { t } = ctx;
  const sub = view.offer.subscription;
  return page(ctx, {
    title: t('devicePacks.title'),
    body: html`<h1>${t('devicePacks.title')}</h1>
<p class="muted"><a href="/subscriptions/${sub.id}#devices">${view.planName}</a></p>
${view.problem === null ? '' : html`<p class="error" role="alert" data-testid="device-pack-problem">${view.problem}${view.shortOfFunds ? html` <a class="button small secondary" href="/wallet">${t('devicePacks.topUp')}</a>` : ''}</p>`}
<section class="card">${devicePackForm(ctx, view.offer, view.idempotencyKey, view.timeZone)}</section>`,
  });
}
