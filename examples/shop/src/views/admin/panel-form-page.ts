import type { Target } from '@panelkit/sdk';
import type { PanelHealthReport } from '@panelkit/sdk/adapter';
import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import type { PanelFormValues } from '../../app/panels/panel-form.js';
import { PANEL_KINDS } from '../../app/panels/panel-adapters.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { testReport } from './panel-views.js';
import { checkField, selectField } from './widgets.js';
import { targetKindBadges } from './target-kinds.js';

/**
 * Add (`panelId` null) or edit a panel. Password and token inputs are always empty: a stored
 * secret is never sent to the browser, and an empty field on edit keeps it.
 */
export function panelFormBody(
  ctx: RequestContext,
  options: { panelId: string | null; values: PanelFormValues; errors?: FieldErrors; test?: PanelHealthReport | null },
): SafeHtml {
  const { t } = ctx;
  const { values, errors, panelId } = options;
  const editing = panelId !== null;
  const action = editing ? `/admin/panels/${panelId}/edit` : '/admin/panels';
  const secretHint = editing ? t('adminOps.panels.keepSecret') : t('adminOps.panels.secretNotKept');
  return html`<h1>${editing ? t('adminOps.panels.editTitle') : t('adminOps.panels.add')}</h1>
${options.test ? testReport(ctx, options.test) : ''}
<form method="post" action="${action}" class="stack" novalidate data-testid="panel-form">
  ${csrfField(ctx)}${formError(errors)}
  ${
    editing
      ? html`<p><strong>${t('adminOps.panels.kind')}:</strong> ${values.kind}</p><input type="hidden" name="kind" value="${values.kind}">`
      : selectField({
          name: 'kind',
          label: t('adminOps.panels.kind'),
          value: values.kind,
          choices: PANEL_KINDS.map((k) => [k, k] as const),
          errors,
          hint: t('adminOps.panels.kindHint'),
        })
  }
  ${field({ name: 'name', label: t('adminOps.panels.name'), value: values.name, errors, required: true })}
  ${field({ name: 'baseUrl', type: 'url', label: t('adminOps.panels.url'), value: values.baseUrl, errors, required: true, hint: t('adminOps.panels.urlHint'), attrs: html`dir="ltr"` })}
  <fieldset>
    <legend>${t('adminOps.panels.credentials')}</legend>
    <p class="muted">${t('adminOps.panels.credentialsHint')}</p>
    ${field({ name: 'username', label: t('adminOps.panels.username'), value: values.username, errors, autocomplete: 'off', attrs: html`dir="ltr"` })}
    ${field({ name: 'password', type: 'password', label: t('adminOps.panels.password'), errors, autocomplete: 'new-password', hint: secretHint })}
    ${field({ name: 'token', type: 'password', label: t('adminOps.panels.token'), errors, autocomplete: 'off', hint: secretHint })}
  </fieldset>
  ${field({ name: 'locationTags', label: t('adminOps.panels.locations'), value: values.locationTags, errors, hint: t('adminOps.panels.locationsHint'), attrs: html`dir="ltr"` })}
  ${field({ name: 'subscriptionBaseUrl', type: 'url', label: t('adminOps.panels.subscriptionBaseUrl'), value: values.subscriptionBaseUrl, errors, hint: t('adminOps.panels.subscriptionBaseUrlHint'), attrs: html`dir="ltr"` })}
  ${field({ name: 'linkHost', label: t('adminOps.panels.linkHost'), value: values.linkHost, errors, hint: t('adminOps.panels.linkHostHint'), attrs: html`dir="ltr"` })}
  ${checkField({ name: 'enabled', label: t('adminOps.panels.enabledLabel'), checked: values.enabled })}
  <div class="actions">
    <button type="submit" name="intent" value="save" data-testid="save-panel">${t('adminOps.save')}</button>
    <button type="submit" name="intent" value="test" class="secondary" data-testid="test-unsaved">${t('adminOps.panels.testSettings')}</button>
  </div>
</form>`;
}

export interface TargetFormValues {
  capacity: string;
  tags: string;
  isDefault: boolean;
  provisioningEnabled: boolean;
}

export function targetFormValues(target: Target): TargetFormValues {
  return {
    capacity: target.capacity === null ? '' : String(target.capacity),
    tags: target.tags.join(', '),
    isDefault: target.isDefault,
    provisioningEnabled: target.provisioningEnabled,
  };
}

export function targetFormBody(ctx: RequestContext, target: Target, values: TargetFormValues, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('adminOps.targets.editTitle', { name: target.name })}</h1>
<p class="muted ltr">${target.protocol} · ${target.remoteRef}</p>
<p>${t('kinds.admin.targetKinds')}: ${targetKindBadges(ctx, target)}</p>
<form method="post" action="/admin/panels/${target.panelId}/targets/${target.id}" class="stack" novalidate data-testid="target-form">
  ${csrfField(ctx)}${formError(errors)}
  ${field({ name: 'capacity', label: t('adminOps.targets.capacity'), value: values.capacity, errors, hint: t('adminOps.targets.capacityHint', { allocated: target.allocated }), attrs: html`inputmode="numeric"` })}
  ${field({ name: 'tags', label: t('adminOps.targets.tags'), value: values.tags, errors, hint: t('adminOps.panels.locationsHint'), attrs: html`dir="ltr"` })}
  ${checkField({ name: 'isDefault', label: t('adminOps.targets.defaultLabel'), checked: values.isDefault })}
  ${checkField({ name: 'provisioningEnabled', label: t('adminOps.targets.provisioningLabel'), checked: values.provisioningEnabled })}
  <div class="actions">
    <button type="submit" data-testid="save-target">${t('adminOps.save')}</button>
    <a href="/admin/panels/${target.panelId}">${t('adminOps.cancel')}</a>
  </div>
</form>`;
}
