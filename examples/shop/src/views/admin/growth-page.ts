import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

/** The growth form's values as typed or stored. */
export interface GrowthValues {
  channel: string;
  channelJoinUrl: string;
  neverConnectedHours: string;
  winBackDays: string;
  winBackPercent: string;
  winBackValidDays: string;
}

/** The owner's required channel (with its join link), the never-connected nudge's delay and the win-back offer. */
export function growthBody(ctx: RequestContext, values: GrowthValues, errors?: FieldErrors): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('growth.admin.title')}</h1>
<p class="muted">${t('growth.admin.help')}</p>
<form method="post" action="/admin/settings/growth" class="stack" novalidate data-testid="growth-form">
  ${csrfField(ctx)}${formError(errors)}
  ${field({ name: 'channel', label: t('growth.admin.channel'), value: values.channel, errors, hint: t('growth.admin.channelHint'), attrs: html`dir="ltr" maxlength="40"` })}
  ${field({ name: 'channelJoinUrl', label: t('growth.admin.joinUrl'), value: values.channelJoinUrl, errors, hint: t('growth.admin.joinUrlHint'), attrs: html`dir="ltr" inputmode="url" maxlength="120"` })}
  ${field({ name: 'neverConnectedHours', label: t('growth.admin.hours'), value: values.neverConnectedHours, errors, hint: t('growth.admin.hoursHint'), attrs: html`dir="ltr" inputmode="numeric" maxlength="4"` })}
  <h2>${t('growth.admin.winBack')}</h2>
  <p class="muted">${t('growth.admin.winBackHelp')}</p>
  ${field({ name: 'winBackDays', label: t('growth.admin.winBackDays'), value: values.winBackDays, errors, hint: t('growth.admin.winBackDaysHint'), attrs: html`dir="ltr" inputmode="numeric" maxlength="3"` })}
  ${field({ name: 'winBackPercent', label: t('growth.admin.winBackPercent'), value: values.winBackPercent, errors, attrs: html`dir="ltr" inputmode="numeric" maxlength="3"` })}
  ${field({ name: 'winBackValidDays', label: t('growth.admin.winBackValidDays'), value: values.winBackValidDays, errors, attrs: html`dir="ltr" inputmode="numeric" maxlength="2"` })}
  <button type="submit">${t('growth.admin.save')}</button>
</form>`;
}
