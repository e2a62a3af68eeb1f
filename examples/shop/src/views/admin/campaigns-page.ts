import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import type { CampaignReportRow } from '../../app/growth/campaigns.js';
import { formatMoney, minorDigits } from '../../i18n/format.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { table } from './widgets.js';

/** The campaign form's values as typed (the bonus in major units). */
export interface CampaignFormValues {
  slug: string;
  name: string;
  bonus: string;
  welcomeCode: string;
}

/** What the campaigns page shows: each campaign with its links and figures over the period, and the create form. */
export interface CampaignsView {
  rows: readonly (CampaignReportRow & { links: { bot: string | null; web: string } })[];
  currency: string;
  /** The period's days as the form shows them. */
  from: string;
  to: string;
  values?: CampaignFormValues;
  errors?: FieldErrors;
}

/** An amount in minor units as the form takes it back (`1.50`); '' for none. */
export function majorText(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  return amount === 0 ? '' : (amount / 10 ** digits).toFixed(digits);
}

/** The owner's campaigns: links to put in ads, sign-ups, first purchases and revenue net of refunds, and the welcome of each. */
export function campaignsBody(ctx: RequestContext, view: CampaignsView): SafeHtml {
  const { t } = ctx;
  const money = (amount: number) => formatMoney({ amount, currency: view.currency }, ctx.locale);
  const values = view.values ?? { slug: '', name: '', bonus: '', welcomeCode: '' };
  const rows = view.rows.map(
    ({ campaign, figures, links }) => html`<tr data-testid="campaign-${campaign.slug}">
  <td>${campaign.name}<br><code class="ltr">${campaign.slug}</code></td>
  <td class="ltr"><code data-testid="campaign-web-link">${links.web}</code>${links.bot === null ? '' : html`<br><code data-testid="campaign-bot-link">${links.bot}</code>`}</td>
  <td data-testid="campaign-sign-ups">${figures.signUps}</td>
  <td data-testid="campaign-first-purchases">${figures.firstPurchases}</td>
  <td data-testid="campaign-revenue">${figures.revenue.length === 0 ? money(0) : figures.revenue.map((m) => formatMoney(m, ctx.locale)).join(', ')}</td>
  <td><form method="post" action="/admin/campaigns/${campaign.slug}" class="stack">
    ${csrfField(ctx)}
    ${field({ name: 'name', id: `n-${campaign.slug}`, label: t('campaigns.admin.name'), value: campaign.name, attrs: html`maxlength="100"` })}
    ${field({ name: 'bonus', id: `b-${campaign.slug}`, label: t('campaigns.admin.bonus'), value: majorText(campaign.bonusAmount, view.currency), attrs: html`dir="ltr" inputmode="decimal" maxlength="20"` })}
    ${field({ name: 'welcomeCode', id: `w-${campaign.slug}`, label: t('campaigns.admin.code'), value: campaign.welcomeCode ?? '', attrs: html`dir="ltr" maxlength="40"` })}
    <button type="submit" class="small">${t('campaigns.admin.save')}</button>
  </form></td>
</tr>`,
  );
  return html`<h1>${t('campaigns.admin.title')}</h1>
<p class="muted">${t('campaigns.admin.help')}</p>
<form method="get" action="/admin/campaigns" class="inline">
  ${field({ name: 'from', label: t('campaigns.admin.from'), value: view.from, attrs: html`dir="ltr" maxlength="10"` })}
  ${field({ name: 'to', label: t('campaigns.admin.to'), value: view.to, attrs: html`dir="ltr" maxlength="10"` })}
  <button type="submit" class="small">${t('campaigns.admin.show')}</button>
</form>
${view.rows.length === 0 ? html`<p>${t('campaigns.admin.none')}</p>` : table([t('campaigns.admin.campaign'), t('campaigns.admin.links'), t('campaigns.admin.signUps'), t('campaigns.admin.firstPurchases'), t('campaigns.admin.revenue'), t('campaigns.admin.welcome')], rows, 'campaigns')}
<h2>${t('campaigns.admin.create')}</h2>
<form method="post" action="/admin/campaigns" class="stack" novalidate data-testid="campaign-form">
  ${csrfField(ctx)}${formError(view.errors)}
  ${field({ name: 'slug', label: t('campaigns.admin.slug'), value: values.slug, errors: view.errors, hint: t('campaigns.admin.slugHint'), attrs: html`dir="ltr" maxlength="40"` })}
  ${field({ name: 'name', label: t('campaigns.admin.name'), value: values.name, errors: view.errors, attrs: html`maxlength="100"` })}
  ${field({ name: 'bonus', label: t('campaigns.admin.bonus'), value: values.bonus, errors: view.errors, hint: t('campaigns.admin.bonusHint', { currency: view.currency }), attrs: html`dir="ltr" inputmode="decimal" maxlength="20"` })}
  ${field({ name: 'welcomeCode', label: t('campaigns.admin.code'), value: values.welcomeCode, errors: view.errors, hint: t('campaigns.admin.codeHint'), attrs: html`dir="ltr" maxlength="40"` })}
  <button type="submit">${t('campaigns.admin.create')}</button>
</form>`;
}
