import type { Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';

/** What a buyer calls a subscription: the name they gave it, else its plan's name. */
export function subscriptionTitle(sub: Pick<Subscription, 'label'>, planName: string): string {
  return sub.label ?? planName;
}

/**
 * The small form that names (or, left empty, un-names) one subscription, so a buyer with several tells them apart.
 * `back` is where the buyer lands after it (the page it sits on).
 */
export function renameForm(ctx: RequestContext, sub: Pick<Subscription, 'id' | 'label'>, back: 'dashboard' | 'subscription'): SafeHtml {
  const { t } = ctx;
  const id = `label-${sub.id}`;
  return html`<form method="post" action="/subscriptions/${sub.id}/label" class="inline rename" data-testid="rename-form">
  ${csrfField(ctx)}<input type="hidden" name="back" value="${back}">
  <label for="${id}">${t('ownSubscriptions.rename.label')}
    <input id="${id}" name="label" type="text" maxlength="64" value="${sub.label ?? ''}" placeholder="${t('ownSubscriptions.rename.placeholder')}" data-testid="rename-input">
  </label>
  <button type="submit" class="small secondary" data-testid="rename-save">${t('ownSubscriptions.rename.save')}</button>
</form>`;
}
