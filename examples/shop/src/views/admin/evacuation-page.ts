import type { EvacuationItem } from '@panelkit/sdk';
import type { RequestContext } from '../../http/context.js';
import type { EvacuationView } from '../../app/ops/evacuation.js';
import { html, type SafeHtml } from '../html.js';
import { actionButton, table } from './widgets.js';

/** Why an evacuation leaves a subscription in this status where it is (`not_movable`). */
const STAY_REASONS = new Set(['on_hold', 'limited', 'expired', 'suspended']);

function stayReason(ctx: RequestContext, item: EvacuationItem): SafeHtml | string {
  if (item.outcome !== 'not_movable') return '';
  const key = STAY_REASONS.has(item.status) ? item.status : 'other';
  return html`<br><span class="muted" data-testid="stay-reason">${ctx.t(`evacuation.stays.${key}`)}</span>`;
}

function destination(view: EvacuationView, item: EvacuationItem): string {
  if (item.toTargetId === null) return '—';
  return view.targets.get(item.toTargetId)?.name ?? item.toTargetId;
}

/** A panel's evacuation: progress, where each subscription would go, what does not fit, and the button that starts it. */
export function evacuationBody(ctx: RequestContext, view: EvacuationView): SafeHtml {
  const { t } = ctx;
  const { panel, plan, progress } = view;
  const c = plan.counts;
  return html`<h1>${t('evacuation.title', { panel: panel.name })}</h1>
<p class="muted">${t('evacuation.intro')}</p>
<section class="card" data-testid="evacuation-progress">
  <dl class="facts">
    <dt>${t('evacuation.remaining')}</dt><dd data-testid="evacuation-remaining">${progress.remaining}</dd>
    <dt>${t('evacuation.moving')}</dt><dd data-testid="evacuation-moving">${progress.moving}</dd>
    <dt>${t('evacuation.staying')}</dt><dd>${progress.staying}</dd>
  </dl>
</section>
<section class="card" data-testid="evacuation-plan">
  <h2>${t('evacuation.planTitle')}</h2>
  <p>${t('evacuation.planSummary', { move: c.would_move, noRoom: c.no_room, moving: c.in_progress, stay: c.not_movable })}</p>
  ${
    plan.items.length === 0
      ? html`<p class="muted">${t('evacuation.empty')}</p>`
      : table(
          [t('evacuation.subscription'), t('evacuation.from'), t('evacuation.to'), t('evacuation.outcome')],
          plan.items.map(
            (item) => html`<tr data-testid="evacuation-row" data-outcome="${item.outcome}">
  <td><a href="/admin/subscriptions/${item.subscriptionId}" class="ltr">${item.subscriptionId}</a></td>
  <td>${view.targets.get(item.fromTargetId)?.name ?? item.fromTargetId}</td>
  <td>${destination(view, item)}</td>
  <td>${t(`evacuation.outcomes.${item.outcome}`)}${stayReason(ctx, item)}</td>
</tr>`,
          ),
          'evacuation-items',
        )
  }
  ${
    c.would_move > 0
      ? actionButton(ctx, {
          action: `/admin/panels/${panel.id}/evacuate`,
          label: t('evacuation.start', { count: c.would_move }),
          testid: 'start-evacuation',
          confirm: t('evacuation.confirm'),
          danger: true,
        })
      : ''
  }
</section>
<p><a href="/admin/panels/${panel.id}">${t('evacuation.back')}</a></p>`;
}
