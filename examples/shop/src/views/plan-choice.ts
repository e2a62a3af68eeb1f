import type { Money, Plan } from '@panelkit/sdk';
import type { PlanLocation } from '@panelkit/sdk/plan-builder';
import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import { formatMoney } from '../i18n/format.js';
import { buyerLocationName } from '../i18n/plan-text.js';
import { field } from './forms.js';
import { html, type SafeHtml } from './html.js';

/** What the buyer picked on the checkout form, as typed (shown again beside errors). */
export interface ChoiceValues {
  /** A fixed plan's pinned location; empty for any. */
  location: string;
  /** A built plan's chosen locations. */
  builtLocations: readonly string[];
  devices: string;
  trafficGiB: string;
  days: string;
}

/** No choice yet: any location, each count at its part's minimum. */
export function emptyChoice(plan: Plan): ChoiceValues {
  const b = plan.builder;
  return {
    location: '',
    builtLocations: [],
    devices: b?.devices ? String(b.devices.min) : '',
    trafficGiB: b?.trafficGiB ? String(b.trafficGiB.min) : '',
    days: b?.durationDays ? String(b.durationDays.min) : '',
  };
}

function errorOf(errors: FieldErrors | undefined, name: string): SafeHtml | '' {
  const message = errors?.[name];
  return message ? html`<p class="field-error">${message}</p>` : '';
}

/**
 * The checkout form's location picker (a fixed plan offering several locations: any, or one that is not busy) or a
 * built plan's parts (its locations as check boxes, its counts as numbers), with the quoted price when known.
 */
export function planChoiceFields(
  ctx: RequestContext,
  plan: Plan,
  locations: readonly PlanLocation[],
  values: ChoiceValues,
  errors: FieldErrors | undefined,
  builtPrice: Money | null,
): SafeHtml | '' {
  const { t, locale } = ctx;
  const nameOf = (l: PlanLocation) => `${buyerLocationName(l, locale)}${l.status === 'busy' ? ` (${t('builder.busy')})` : ''}`;
  const builder = plan.builder;
  if (builder === null) {
    if (locations.length < 2) return '';
    return html`<label for="f-location">${t('builder.pickLocation')}
  <select id="f-location" name="location" data-testid="location-picker">
    <option value="">${t('builder.anyLocation')}</option>
    ${locations.map((l) => html`<option value="${l.location}" ${l.status === 'busy' ? html`disabled` : ''} ${values.location === l.location ? html`selected` : ''}>${nameOf(l)}</option>`)}
  </select>
  ${errorOf(errors, 'location')}
</label>`;
  }
  const status = new Map(locations.map((l) => [l.location, l]));
  const count = (name: 'devices' | 'trafficGiB' | 'days', part: { min: number; max: number; step: number } | null) =>
    part === null
      ? ''
      : field({
          name,
          type: 'number',
          label: t(`builder.parts.${name}`),
          value: values[name],
          errors,
          attrs: html`min="${part.min}" max="${part.max}" step="${part.step}" inputmode="numeric"`,
        });
  // The page's script asks the server's quote (`POST /api/v1/plans/:id/quote`) as the buyer changes a part: the
  // price shown is always the engine's, never one the page works out.
  return html`<fieldset data-testid="plan-builder" data-quote-url="/api/v1/plans/${plan.id}/quote" data-csrf="${ctx.csrfToken}">
  <legend>${t('builder.choose')}</legend>
  ${
    builder.locations === null
      ? ''
      : html`<p>${t('builder.parts.locations')}</p>
  ${builder.locations.options.map(
    (o) =>
      html`<label class="check"><input type="checkbox" name="choiceLocations" value="${o}" ${values.builtLocations.includes(o) ? html`checked` : ''}> ${nameOf(status.get(o) ?? { location: o, country: null, name: o, status: 'available' })}</label>`,
  )}`
  }
  ${count('devices', builder.devices)}${count('trafficGiB', builder.trafficGiB)}${count('days', builder.durationDays)}
  ${errorOf(errors, 'choice')}
  <p>${t('builder.price')}: <strong class="price" data-testid="built-price" aria-live="polite">${builtPrice === null ? '—' : formatMoney(builtPrice, locale)}</strong></p>
  <p class="field-error" data-testid="built-price-problem" role="status" hidden></p>
</fieldset>`;
}
