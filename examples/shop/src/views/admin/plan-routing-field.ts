import type { FieldErrors } from '../../app/input/forms.js';
import { ROUTING_FIELD } from '../../app/plans/plan-routing-form.js';
import type { RequestContext } from '../../http/context.js';
import { ROUTING_PRESETS, type RoutingPreset } from '@panelkit/subscription-feed';
import type { SafeHtml } from '../html.js';
import { selectField } from './widgets.js';

/** Each preset's choice in the owner's form. */
const PRESET_CHOICE_KEYS: Readonly<Record<RoutingPreset, string>> = {
  private: 'routing.plan.private',
  ru: 'routing.plan.ru',
  ir: 'routing.plan.ir',
  cn: 'routing.plan.cn',
};

/** The plan form's choice of what its buyers' apps send direct (`''`: nothing, everything through the proxy). */
export function planRoutingField(ctx: RequestContext, value: string, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return selectField({
    name: ROUTING_FIELD,
    label: t('routing.plan.label'),
    value,
    errors,
    choices: [['', t('routing.plan.none')], ...ROUTING_PRESETS.map((p) => [p, t(PRESET_CHOICE_KEYS[p])] as const)],
    hint: t('routing.plan.hint'),
  });
}
