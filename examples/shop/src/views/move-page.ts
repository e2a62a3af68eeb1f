import type { RequestContext } from '../http/context.js';
import type { FieldErrors } from '../app/input/forms.js';
import type { PlanLocation } from '@panelkit/sdk/plan-builder';
import { buyerLocationName, buyerLocationNames } from '../i18n/plan-text.js';
import { formError } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

/** A location the move page offers: its tag, the owner's name for it, and whether it has room. */
export type MoveLocation = Pick<PlanLocation, 'location' | 'country' | 'name' | 'status'>;

/** What the page that moves a subscription to another location shows. */
export interface MoveView {
  subscriptionId: string;
  title: string;
  /** Where it is now (the location tags of its panel). */
  current: readonly string[];
  /** The locations its plan offers, each available or busy. */
  locations: readonly MoveLocation[];
  /** The location picked, as typed (shown again beside an error). */
  picked: string;
  idempotencyKey: string;
  errors?: FieldErrors;
}

/**
 * Moving one subscription to another location its plan offers (the link stays the same). A busy location and the
 * one it is in now cannot be picked; the engine refuses them anyway, with the reason on the form.
 */
export function movePage(ctx: RequestContext, view: MoveView): SafeHtml {
  const { t, locale } = ctx;
  const here = new Set(view.current);
  const choices = view.locations.filter((l) => !here.has(l.location));
  const label = (l: MoveLocation) => `${buyerLocationName(l, locale)}${l.status === 'busy' ? ` (${t('builder.busy')})` : ''}`;
  const error = view.errors?.['location'];
  return page(ctx, {
    title: t('ownSubscriptions.move.title', { name: view.title }),
    body: html`<h1>${t('ownSubscriptions.move.title', { name: view.title })}</h1>
<section class="card stack" data-testid="move">
  <p>${t('ownSubscriptions.move.help')}</p>
  <p>${t('ownSubscriptions.move.current')}: <strong data-testid="current-location">${view.current.length === 0 ? t('builder.anyLocation') : buyerLocationNames(view.current, view.locations, locale).join(', ')}</strong></p>
  ${
    choices.length === 0
      ? html`<p class="muted" data-testid="no-other-location">${t('ownSubscriptions.move.none')}</p>`
      : html`<form method="post" action="/subscriptions/${view.subscriptionId}/move" class="stack" data-testid="move-form" novalidate>
    ${csrfField(ctx)}${formError(view.errors)}
    <input type="hidden" name="idempotencyKey" value="${view.idempotencyKey}">
    <label for="f-location">${t('ownSubscriptions.move.to')}
      <select id="f-location" name="location" data-testid="move-location" ${error ? html`aria-invalid="true" aria-describedby="f-location-error"` : ''}>
        ${choices.map((l) => html`<option value="${l.location}" ${l.status === 'busy' ? html`disabled` : ''} ${view.picked === l.location ? html`selected` : ''}>${label(l)}</option>`)}
      </select>
      ${error ? html`<p class="field-error" id="f-location-error" role="alert" data-testid="move-error">${error}</p>` : ''}
    </label>
    <button type="submit">${t('ownSubscriptions.move.submit')}</button>
  </form>`
  }
</section>
<p><a href="/subscriptions/${view.subscriptionId}">${t('ownSubscriptions.back')}</a></p>`,
  });
}
