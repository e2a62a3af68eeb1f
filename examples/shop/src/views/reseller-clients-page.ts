import type { Subscription } from '@panelkit/sdk';
import type { RequestContext } from '../http/context.js';
import type { ResellerClient } from '../db/reseller-clients.js';
import { field } from './forms.js';
import { html, type SafeHtml } from './html.js';
import { csrfField, page } from './layout.js';

/** What the clients page shows: the reseller's clients, its subscriptions (to assign), and an error for the last post. */
export interface ResellerClientsView {
  clients: ResellerClient[];
  subscriptions: Subscription[];
  planNames: ReadonlyMap<string, string>;
  problem: string | null;
}

/** A reseller's own clients: add one, and put each of its subscriptions under the client it is for. */
export function resellerClientsPage(ctx: RequestContext, view: ResellerClientsView): SafeHtml {
  const { t } = ctx;
  const subName = (id: string) => {
    const sub = view.subscriptions.find((s) => s.id === id);
    return sub === undefined ? id : `${view.planNames.get(sub.planId) ?? sub.planId} · ${id.slice(-6)}`;
  };
  return page(ctx, {
    title: t('resellers.clients.title'),
    body: html`<h1>${t('resellers.clients.title')}</h1>
<p><a href="/account/reseller">${t('resellers.clients.back')}</a></p>
${view.problem ? html`<p class="error" role="alert" data-testid="clients-problem">${view.problem}</p>` : ''}
${
  view.clients.length === 0
    ? html`<p class="muted">${t('resellers.clients.none')}</p>`
    : html`<ul data-testid="reseller-clients">${view.clients.map(
        (c) => html`<li data-testid="reseller-client" data-client="${c.id}"><strong>${c.name}</strong>${c.note ? html` · ${c.note}` : ''}
  ${c.subscriptionIds.length === 0 ? '' : html`<ul>${c.subscriptionIds.map((id) => html`<li><a href="/subscriptions/${id}">${subName(id)}</a></li>`)}</ul>`}</li>`,
      )}</ul>`
}
<section class="card"><h2>${t('resellers.clients.add')}</h2>
<form method="post" action="/account/reseller/clients" class="stack" data-testid="add-client" novalidate>
  ${csrfField(ctx)}
  ${field({ name: 'name', label: t('resellers.clients.name'), required: true, attrs: html`maxlength="100" autocomplete="off"` })}
  ${field({ name: 'note', label: t('resellers.clients.note'), attrs: html`maxlength="300" autocomplete="off"` })}
  <button type="submit">${t('resellers.clients.addButton')}</button>
</form></section>
${
  view.clients.length === 0 || view.subscriptions.length === 0
    ? ''
    : html`<section class="card"><h2>${t('resellers.clients.assign')}</h2>
<form method="post" action="/account/reseller/clients/assign" class="stack" data-testid="assign-client" novalidate>
  ${csrfField(ctx)}
  <label for="f-subscriptionId">${t('resellers.clients.subscription')}</label>
  <select id="f-subscriptionId" name="subscriptionId">${view.subscriptions.map((s) => html`<option value="${s.id}">${subName(s.id)}</option>`)}</select>
  <label for="f-clientId">${t('resellers.clients.client')}</label>
  <select id="f-clientId" name="clientId">${view.clients.map((c) => html`<option value="${c.id}">${c.name}</option>`)}</select>
  <button type="submit">${t('resellers.clients.assignButton')}</button>
</form></section>`
}`,
  });
}
