import type { ReferralProgram, ReferralStats } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import { formatMoney, minorDigits } from '../i18n/format.js';
import { adminPage } from './admin-layout.js';
import { field, formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

/** Minor units as the major amount a form shows ("12.50"), without float rounding. */
function formatMajorAmount(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === 0) return String(amount);
  const text = String(amount).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** The reward in words, e.g. "5.00 USD per friend" or "10% of their first order (at most 3.00 USD)". */
export function rewardText(ctx: RequestContext, program: ReferralProgram): string {
  const { t, locale } = ctx;
  const { reward } = program;
  if (reward.type === 'fixed') return t('referrals.rewardFixed', { amount: formatMoney(reward.amount, locale) });
  const share = t('referrals.rewardShare', { percent: reward.percent });
  return reward.maxAmount === null ? share : `${share} ${t('referrals.rewardCap', { amount: formatMoney(reward.maxAmount, locale) })}`;
}

/** The buyer's referral page: the link to share, the reward, and how many signed up and what it earned. */
export function referralPage(
  ctx: RequestContext,
  view: { program: ReferralProgram | null; stats: ReferralStats; link: string; telegramLink?: string | null },
): SafeHtml {
  const { t, locale } = ctx;
  const on = view.program?.enabled;
  return page(ctx, {
    title: t('referrals.title'),
    body: html`<h1>${t('referrals.title')}</h1>
<section class="card">
${
  on
    ? html`<p>${t('referrals.intro')}</p>
  <label for="referral-link">${t('referrals.link')}</label>
  <input id="referral-link" type="text" readonly value="${view.link}" data-testid="referral-link">
  ${
    view.telegramLink
      ? html`<label for="referral-telegram">${t('referrals.telegramLink')}</label>
  <input id="referral-telegram" type="text" readonly value="${view.telegramLink}" data-testid="referral-telegram">`
      : ''
  }
  <p>${t('referrals.reward')}: <strong data-testid="referral-reward">${rewardText(ctx, view.program!)}</strong></p>`
    : html`<p class="muted" data-testid="referral-off">${t('referrals.off')}</p>`
}
  <dl class="facts">
    <dt>${t('referrals.referred')}</dt><dd data-testid="referral-count">${view.stats.referred}</dd>
    <dt>${t('referrals.rewarded')}</dt><dd data-testid="referral-rewarded">${view.stats.rewarded}</dd>
    <dt>${t('referrals.earned')}</dt><dd data-testid="referral-earned">${view.stats.earned.length === 0 ? '0' : view.stats.earned.map((m) => formatMoney(m, locale)).join(', ')}</dd>
  </dl>
</section>`,
  });
}

/** The settings form's values as typed. */
export interface ReferralSettingsValues {
  enabled: boolean;
  type: 'fixed' | 'share';
  amount: string;
  percent: string;
  cap: string;
  /** Days after an order during which its refund takes the reward back. */
  refundWindowDays: string;
}

function valuesOf(program: ReferralProgram | null, currency: string): ReferralSettingsValues {
  if (program === null) return { enabled: false, type: 'fixed', amount: '', percent: '', cap: '', refundWindowDays: '30' };
  const { reward } = program;
  const refundWindowDays = String(program.refundWindowDays);
  return reward.type === 'fixed'
    ? {
        enabled: program.enabled,
        type: 'fixed',
        amount: formatMajorAmount(reward.amount.amount, reward.amount.currency),
        percent: '',
        cap: '',
        refundWindowDays,
      }
    : {
        enabled: program.enabled,
        type: 'share',
        amount: '',
        percent: String(reward.percent),
        cap: reward.maxAmount === null ? '' : formatMajorAmount(reward.maxAmount.amount, currency),
        refundWindowDays,
      };
}

/** The owner's referral settings: on or off, and the reward (a fixed amount, or a share of the first paid order with an optional cap). */
export function referralSettingsPage(
  ctx: RequestContext,
  view: {
    program: ReferralProgram | null;
    currency: string;
    notice?: string | null;
    errors?: FieldErrors;
    values?: ReferralSettingsValues;
  },
): SafeHtml {
  const { t } = ctx;
  const v = view.values ?? valuesOf(view.program, view.currency);
  const errors = view.errors;
  return adminPage(ctx, {
    title: t('referrals.admin.title'),
    notice: view.notice ?? null,
    body: html`<h1>${t('referrals.admin.title')}</h1>
<form method="post" action="/admin/referrals" class="stack" data-testid="referral-settings" novalidate>
  <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
  ${formError(errors)}
  <label class="check"><input type="checkbox" name="enabled" value="on" ${v.enabled ? html`checked` : ''}> ${t('referrals.admin.enabled')}</label>
  <fieldset><legend>${t('referrals.admin.type')}</legend>
    <label class="check"><input type="radio" name="type" value="fixed" ${v.type === 'fixed' ? html`checked` : ''}> ${t('referrals.admin.fixed')}</label>
    <label class="check"><input type="radio" name="type" value="share" ${v.type === 'share' ? html`checked` : ''}> ${t('referrals.admin.share')}</label>
  </fieldset>
  ${field({ name: 'amount', label: `${t('referrals.admin.amount')} (${view.currency})`, value: v.amount, errors, attrs: html`inputmode="decimal"` })}
  ${field({ name: 'percent', label: t('referrals.admin.percent'), value: v.percent, errors, attrs: html`inputmode="numeric"` })}
  ${field({ name: 'cap', label: `${t('referrals.admin.cap')} (${view.currency})`, value: v.cap, errors, attrs: html`inputmode="decimal"` })}
  ${field({ name: 'refundWindowDays', label: t('referrals.admin.refundWindowDays'), hint: t('referrals.admin.refundWindowHint'), value: v.refundWindowDays, errors, attrs: html`inputmode="numeric"` })}
  <button type="submit">${t('referrals.admin.save')}</button>
</form>`,
  });
}
