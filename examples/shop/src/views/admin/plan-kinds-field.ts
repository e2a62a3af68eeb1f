import type { Target } from '@panelkit/sdk';
import { ENTITLEMENT_KINDS } from '@panelkit/sdk/kinds';
import type { FieldErrors } from '../../app/input/forms.js';
import { KINDS_SHOWN_FIELD } from '../../app/plans/plan-form.js';
import { kindsNoTargetServes } from '../../app/kinds/unserved-kinds.js';
import type { RequestContext } from '../../http/context.js';
import { kindName } from '../../i18n/kind-text.js';
import { localeInfo } from '../../i18n/locales.js';
import { html, type SafeHtml } from '../html.js';

/**
 * "What it sells": a checkbox per kind (Xray, WireGuard, AmneziaWG, Telegram proxy) for `Plan.kinds`, with the
 * refusal on the field (none ticked, or the SDK's refusal of the combination). The hidden marker tells the form
 * the boxes were shown, so none ticked is refused rather than read as "unchanged".
 */
export function planKindsFieldset(ctx: RequestContext, chosen: readonly string[], errors: FieldErrors | undefined): SafeHtml {
  const { t } = ctx;
  const error = errors?.['kinds'];
  return html`<fieldset data-testid="plan-kinds" ${error ? html`aria-invalid="true" aria-describedby="e-kinds"` : ''}>
  <legend>${t('kinds.admin.legend')}</legend>
  <input type="hidden" name="${KINDS_SHOWN_FIELD}" value="1">
  ${ENTITLEMENT_KINDS.map(
    (kind) =>
      html`<label class="check" for="f-kind-${kind}"><input id="f-kind-${kind}" type="checkbox" name="kinds" value="${kind}" data-testid="plan-kind-${kind}" ${chosen.includes(kind) ? html`checked` : ''}> ${kindName(kind, t)}</label>`,
  )}
  <small class="muted">${t('kinds.admin.hint')}</small>
  ${error ? html`<p class="error" id="e-kinds" data-testid="plan-kinds-error">${error}</p>` : ''}
</fieldset>`;
}

/** A warning naming the chosen kinds no target serves (buyers cannot get them until a panel's target does). */
export function unservedKindsWarning(ctx: RequestContext, chosen: readonly string[], targets: readonly Target[]): SafeHtml | '' {
  const unserved = kindsNoTargetServes(chosen, targets);
  if (unserved.length === 0) return '';
  const kinds = unserved.map((kind) => kindName(kind, ctx.t)).join(localeInfo(ctx.locale).listSeparator);
  return html`<p class="notice" role="status" data-testid="plan-kinds-unserved" data-kinds="${unserved.join(' ')}">${ctx.t('kinds.admin.unserved', { kinds })}</p>`;
}
