import type { Page } from '@panelkit/sdk';
import type { GuardCaseView, GuardStep } from '@panelkit/sdk/guard';
import type { TrialRefusal } from '@panelkit/sdk/trials';
import type { GuardPanelSignal } from '../../app/guard/panel-signals.js';
import type { RequestContext } from '../../http/context.js';
import { formatNumber } from '../../i18n/format.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { GUARD_STEP_NAMES } from './guard-policy-form.js';
import { pager, table, when } from './widgets.js';

/** What the guard page shows; the policy form and the trial abuse are the owner's (`null` for support staff). */
export interface GuardPageView {
  timeZone: string;
  cases: readonly { step: GuardStep; page: Page<GuardCaseView>; firstPage: boolean }[];
  policyForm: SafeHtml | null;
  signals: readonly GuardPanelSignal[];
  trialRefusals: readonly TrialRefusal[] | null;
}

const count = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** A case's evidence as counts: readings and over readings in the window, the most networks at once, the over span. */
function evidence(ctx: RequestContext, c: GuardCaseView): SafeHtml {
  const e = c.evidence !== null && typeof c.evidence === 'object' && !Array.isArray(c.evidence) ? c.evidence : {};
  const first = e['firstOverHour'];
  const last = e['lastOverHour'];
  const n = (v: number) => formatNumber(v, ctx.locale);
  return html`<span data-testid="guard-evidence">${ctx.t('guard.cases.evidence', {
    over: n(count(e['over'])),
    readings: n(count(e['readings'])),
    networks: n(count(e['maxPrefixes'])),
    hours: n(typeof first === 'number' && typeof last === 'number' ? last - first : 0),
  })}</span>`;
}

function liftForm(ctx: RequestContext, c: GuardCaseView): SafeHtml {
  return html`<form method="post" action="/admin/guard/cases/${c.subscriptionId}/lift" class="inline" data-testid="guard-lift-${c.subscriptionId}">
  ${csrfField(ctx)}
  <input name="note" maxlength="500" placeholder="${ctx.t('guard.cases.note')}" aria-label="${ctx.t('guard.cases.note')}">
  <button type="submit" class="small">${ctx.t('guard.cases.lift')}</button>
</form>`;
}

function casesOf(ctx: RequestContext, view: GuardPageView, entry: GuardPageView['cases'][number]): SafeHtml {
  const { t } = ctx;
  const rows = entry.page.items.map(
    (c) => html`<tr data-testid="guard-case">
  <td><a href="/admin/subscriptions/${c.subscriptionId}" dir="ltr">${c.subscriptionId}</a></td>
  <td>${when(ctx, view.timeZone, c.stepAt)}</td>
  <td>${evidence(ctx, c)}</td>
  <td>${liftForm(ctx, c)}</td>
</tr>`,
  );
  return html`<h3>${t(GUARD_STEP_NAMES[entry.step])}</h3>
${
  rows.length === 0
    ? html`<p class="muted" data-testid="guard-none-${entry.step}">${t('guard.cases.none')}</p>`
    : table(
        [t('guard.cases.subscription'), t('guard.cases.since'), t('guard.cases.evidenceHead'), t('guard.cases.liftHead')],
        rows,
        `guard-cases-${entry.step}`,
      )
}
${pager(ctx, '/admin/guard', { step: entry.step }, entry.page.nextCursor, entry.firstPage)}`;
}

function signalsOf(ctx: RequestContext, signals: readonly GuardPanelSignal[]): SafeHtml {
  const { t } = ctx;
  const rows = signals.map(
    (s) => html`<tr>
  <td>${s.name}</td>
  <td dir="ltr">${s.kind}</td>
  <td data-testid="guard-signal-${s.panelId}">${t(s.signal === 'addresses' ? 'guard.signals.addresses' : 'guard.signals.registry')}${
    s.needsFail2ban ? html` <small class="muted">${t('guard.signals.fail2ban')}</small>` : ''
  }</td>
</tr>`,
  );
  return html`<h2>${t('guard.signals.title')}</h2>
<p class="muted">${t('guard.signals.help')}</p>
${table([t('guard.signals.panel'), t('guard.signals.kind'), t('guard.signals.signal')], rows, 'guard-signals')}`;
}

function trialsOf(ctx: RequestContext, timeZone: string, refusals: readonly TrialRefusal[]): SafeHtml {
  const { t } = ctx;
  const rows = refusals.map(
    (r) => html`<tr>
  <td>${when(ctx, timeZone, r.at)}</td>
  <td><a href="/admin/customers/${r.customerId}" dir="ltr">${r.customerId}</a></td>
  <td>${t(`trials.admin.reasons.${r.reason}`)}</td>
  <td>${r.matched.map((m) => t(`trials.admin.matched.${m}`)).join(', ')}</td>
</tr>`,
  );
  return html`<h2>${t('guard.trials.title')}</h2>
<p class="muted">${t('guard.trials.help')} <a href="/admin/trials">${t('guard.trials.all')}</a></p>
${
  rows.length === 0
    ? html`<p class="muted" data-testid="guard-trials-none">${t('trials.admin.none')}</p>`
    : table(
        [t('trials.admin.at'), t('trials.admin.customer'), t('trials.admin.reason'), t('trials.admin.matchedHead')],
        rows,
        'guard-trials',
      )
}`;
}

/**
 * The guard page: open cases by step with their evidence (counts and networks, never addresses) and a lift button,
 * the owner's policy, what each panel lets the guard read, and trial abuse across accounts beside them.
 */
export function guardPageBody(ctx: RequestContext, view: GuardPageView): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('guard.admin.title')}</h1>
<p class="muted">${t('guard.admin.intro')}</p>
<h2>${t('guard.cases.title')}</h2>
${view.cases.map((entry) => casesOf(ctx, view, entry))}
<h2>${t('guard.policy.title')}</h2>
${view.policyForm ?? html`<p class="muted" data-testid="guard-policy-owner">${t('guard.policy.ownersOnly')}</p>`}
${signalsOf(ctx, view.signals)}
${view.trialRefusals === null ? '' : trialsOf(ctx, view.timeZone, view.trialRefusals)}`;
}
