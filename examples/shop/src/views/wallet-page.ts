import type { SavedPaymentMethodView } from '@panelkit/sdk';
import { savedMethodsList } from './saved-methods.js';
import type { LedgerEntry, Money } from '@panelkit/sdk';
import type { Payment } from '../app/payments/records.js';
import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import type { EntryDescription } from '../app/payments/ledger-descriptions.js';
import { jalaliField, paidAtInput, zoneName } from '../app/payments/paid-at.js';
import { instantToZoned } from '../app/input/zoned-time.js';
import { persianDigits } from '../app/input/digits.js';
import { field, formError } from './forms.js';
import { gatewayRailForm } from './gateway-rail-pages.js';
import { starsForm } from './stars-invoice-page.js';
import type { GatewayRail } from '../app/payments/rails/gateway-rails.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';
import { balanceList, ledgerTable, paymentsTable } from './money-tables.js';

/** One top-up form's state: a fresh key, or what was sent and what was wrong with it. */
export interface TopUpFormState {
  key: string;
  values: Record<string, string>;
  errors?: FieldErrors;
}

export interface WalletView {
  balances: Money[];
  currency: string;
  timeZone: string;
  now: Date;
  /** The enabled providers, each with its form's state. */
  forms: Array<{ provider: string; state: TopUpFormState }>;
  card: { cardNumber: string; holder: string } | null;
  payments: Payment[];
  ledger: { entries: LedgerEntry[]; nextCursor: string | null; paged: boolean };
  /** What each ledger entry is about, for the buyer (plan, receipt number, order code). */
  descriptions: ReadonlyMap<string, EntryDescription>;
  notice: string | null;
  /** The crypto gateway's form (its per-render key), when the owner has it on; else `null`. */
  crypto: { key: string } | null;
  /** The gateway rails the owner has on (CryptoBot, Zarinpal), each with its form's per-render key. */
  rails?: ReadonlyArray<{ rail: GatewayRail; key: string; methods?: readonly string[]; savesMethods?: boolean }>;
  /** Telegram Stars' form (its per-render key), when the owner has Stars on; else `null`. */
  stars?: { key: string } | null;
  /** The buyer's saved payment methods. */
  savedMethods?: readonly SavedPaymentMethodView[];
}

function testForm(ctx: RequestContext, view: WalletView, state: TopUpFormState): SafeHtml {
  const { t } = ctx;
  return html`<section class="card" data-provider="test">
<h2>${t('wallet.test.title')} <span class="badge pending">${t('wallet.test.badge')}</span></h2>
<p class="muted">${t('wallet.test.warning')}</p>
<form method="post" action="/wallet/topup/test" class="stack" data-testid="topup-test" novalidate>
  ${csrfField(ctx)}<input type="hidden" name="idempotencyKey" value="${state.key}">
  ${formError(state.errors)}${keyError(state.errors)}
  ${field({ id: 'test-amount', name: 'amount', label: t('wallet.amount', { currency: view.currency }), value: state.values['amount'], errors: state.errors, required: true, attrs: html`inputmode="decimal" autocomplete="off"` })}
  <label><input type="checkbox" name="saveMethod" value="yes" data-testid="test-save-method" ${state.values['saveMethod'] === 'yes' ? html`checked` : ''}> ${t('wallet.test.saveMethod')}</label>
  <button type="submit">${t('wallet.test.submit')}</button>
</form></section>`;
}

function cardForm(ctx: RequestContext, view: WalletView, state: TopUpFormState): SafeHtml {
  const { t } = ctx;
  const card = view.card;
  if (card === null) return html``;
  return html`<section class="card" data-provider="card">
<h2>${t('wallet.card.title')}</h2>
<p>${t('wallet.card.intro')}</p>
<dl class="facts">
  <dt>${t('wallet.card.cardNumber')}</dt>
  <dd><span class="copy-row"><input id="shop-card-number" class="ltr" readonly value="${card.cardNumber}" aria-label="${t('wallet.card.cardNumber')}" data-testid="card-number"><button type="button" class="secondary small" data-copy="#shop-card-number" data-copied="${t('wallet.card.copied')}">${t('wallet.card.copy')}</button></span></dd>
  <dt>${t('wallet.card.holder')}</dt><dd data-testid="card-holder">${card.holder}</dd>
</dl>
<form method="post" action="/wallet/topup/card" class="stack" data-testid="topup-card" novalidate>
  ${csrfField(ctx)}<input type="hidden" name="idempotencyKey" value="${state.key}">
  ${formError(state.errors)}${keyError(state.errors)}
  ${field({ id: 'card-amount', name: 'amount', label: t('wallet.amount', { currency: view.currency }), value: state.values['amount'], errors: state.errors, required: true, attrs: html`inputmode="decimal" autocomplete="off"` })}
  ${field({ id: 'card-reference', name: 'reference', label: t('wallet.card.reference'), hint: t('wallet.card.referenceHint'), value: state.values['reference'], errors: state.errors, required: true, attrs: html`autocomplete="off" dir="ltr"` })}
  ${field({ id: 'card-cardLast4', name: 'cardLast4', label: t('wallet.card.cardLast4'), value: state.values['cardLast4'], errors: state.errors, required: true, attrs: html`inputmode="numeric" maxlength="4" autocomplete="off" dir="ltr"` })}
  ${paidAtField(ctx, view, state)}
  <button type="submit">${t('wallet.card.submit')}</button>
</form></section>`;
}

/**
 * "When you paid" in the buyer's calendar and the shop's zone: the browser's date-time picker in English,
 * a typed Jalali `year/month/day hour:minute` in Farsi (browsers have no Jalali picker). The server reads both.
 */
function paidAtField(ctx: RequestContext, view: WalletView, state: TopUpFormState): SafeHtml {
  const { t } = ctx;
  const zone = zoneName(view.timeZone, ctx.locale, view.now);
  const common = {
    id: 'card-paidAt',
    name: 'paidAt',
    label: t('wallet.card.paidAt'),
    value: state.values['paidAt'],
    errors: state.errors,
    required: true,
  };
  if (paidAtInput(ctx.locale) === 'datetime-local') {
    return field({
      ...common,
      type: 'datetime-local',
      hint: t('wallet.card.paidAtHint', { zone }),
      attrs: html`max="${instantToZoned(view.now, view.timeZone)}"`,
    });
  }
  const example = persianDigits(jalaliField(view.now, view.timeZone));
  return field({
    ...common,
    type: 'text',
    hint: t('wallet.card.paidAtHintJalali', { zone, example: `\u2066${example}\u2069` }),
    attrs: html`placeholder="${example}" autocomplete="off" dir="ltr" data-calendar="jalali"`,
  });
}

/** The hidden key's problem (an expired or tampered form) shown above the form. */
function keyError(errors: FieldErrors | undefined): SafeHtml | '' {
  const message = errors?.['idempotencyKey'];
  return message ? html`<p class="error" role="alert">${message}</p>` : '';
}

/** Paying with crypto: the amount here, then the gateway's own page. */
function cryptoForm(ctx: RequestContext, currency: string, key: string): SafeHtml {
  const { t } = ctx;
  return html`<section class="card" data-provider="crypto">
<h2>${t('wallet.crypto.title')}</h2>
<p class="muted">${t('wallet.crypto.intro')}</p>
<form method="post" action="/wallet/crypto" class="stack" data-testid="topup-crypto" novalidate>
  ${csrfField(ctx)}<input type="hidden" name="idempotencyKey" value="${key}">
  ${field({ id: 'crypto-amount', name: 'amount', label: t('wallet.amount', { currency }), required: true, attrs: html`inputmode="decimal" autocomplete="off"` })}
  <button type="submit">${t('wallet.crypto.submit')}</button>
</form></section>`;
}

export function walletPage(ctx: RequestContext, view: WalletView): SafeHtml {
  const { t } = ctx;
  const forms = view.forms.map(({ provider, state }) =>
    provider === 'test' ? testForm(ctx, view, state) : provider === 'card' ? cardForm(ctx, view, state) : '',
  );
  const rails = (view.rails ?? []).map(({ rail, key, methods, savesMethods }) =>
    gatewayRailForm(ctx, rail, view.currency, key, methods, savesMethods),
  );
  if (view.stars != null) rails.push(starsForm(ctx, view.currency, view.stars.key));
  return page(ctx, {
    title: t('wallet.title'),
    notice: view.notice,
    body: html`<h1>${t('wallet.title')}</h1>
<section class="card"><h2>${t('wallet.balance')}</h2>${balanceList(ctx, view.balances, view.currency)}</section>
<h2>${t('wallet.topUp')}</h2>
${
  forms.length === 0 && view.crypto === null && rails.length === 0
    ? html`<p class="muted">${t('wallet.noProviders')}</p>`
    : html`${view.crypto === null ? '' : cryptoForm(ctx, view.currency, view.crypto.key)}${rails}${forms}`
}
<h2 id="methods">${t('wallet.methods.title')}</h2>
${savedMethodsList(ctx, view.savedMethods ?? [], { manage: true, timeZone: view.timeZone })}
<h2>${t('wallet.payments.title')}</h2>
${paymentsTable(ctx, view.payments, view.timeZone, { buyerCancels: true })}
<h2 id="ledger">${t('wallet.ledger.title')}</h2>
${ledgerTable(ctx, { ...view.ledger, timeZone: view.timeZone, descriptions: view.descriptions, pageHref: (cursor) => (cursor === null ? '/wallet' : `/wallet?after=${encodeURIComponent(cursor)}#ledger`) })}`,
  });
}
