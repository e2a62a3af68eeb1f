import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { APP_MANAGEMENT_SWITCHES, type AppManagement } from '@panelkit/subscription-feed';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { checkField } from './widgets.js';

/** Each switch's label and hint. */
const LABELS: Record<(typeof APP_MANAGEMENT_SWITCHES)[number], readonly [string, string]> = {
  moveApps: ['linkPage.management.moveApps', 'linkPage.management.moveAppsHint'],
  renewButton: ['linkPage.management.renewButton', 'linkPage.management.renewButtonHint'],
  expiryReminders: ['linkPage.management.expiryReminders', 'linkPage.management.expiryRemindersHint'],
  alwaysHwid: ['linkPage.management.alwaysHwid', 'linkPage.management.alwaysHwidHint'],
  hideSettings: ['linkPage.management.hideSettings', 'linkPage.management.hideSettingsHint'],
};

/** The form's values as typed or stored (the provider id as text, '' for none). */
export type AppManagementValues = Omit<AppManagement, 'happProviderId'> & { happProviderId: string };

/**
 * What the buyer's link tells the apps that document management headers (Happ): the owner's Happ provider id and
 * each switch, off until turned on. Shown under the message to client apps.
 */
export function appManagementForm(ctx: RequestContext, values: AppManagementValues, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return html`<section class="card" data-testid="app-management">
<h2>${t('linkPage.management.title')}</h2>
<p class="muted">${t('linkPage.management.help')}</p>
<form method="post" action="/admin/settings/link/apps" class="stack" novalidate data-testid="app-management-form">
  ${csrfField(ctx)}${formError(errors)}
  ${field({
    name: 'happProviderId',
    label: t('linkPage.management.providerId'),
    value: values.happProviderId,
    errors,
    hint: t('linkPage.management.providerIdHint'),
    attrs: html`dir="ltr" autocomplete="off" maxlength="64"`,
  })}
  ${APP_MANAGEMENT_SWITCHES.map((name) => checkField({ name, label: t(LABELS[name][0]), checked: values[name], hint: t(LABELS[name][1]) }))}
  <button type="submit">${t('linkPage.admin.save')}</button>
</form>
</section>`;
}
