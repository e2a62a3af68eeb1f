import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import type { LocationCatalogRow, LocationNameInput } from '../../app/locations/location-catalog.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { table } from './widgets.js';

/** The owner's location catalog: each tag with its country and name (or "not named"), and the form that names one. */
export function locationCatalogBody(
  ctx: RequestContext,
  rows: readonly LocationCatalogRow[],
  form: LocationNameInput,
  errors?: FieldErrors,
): SafeHtml {
  const { t } = ctx;
  const lines = rows.map(
    (r) => html`<tr>
  <td dir="ltr">${r.location}</td>
  <td dir="ltr">${r.entry?.country ?? '—'}</td>
  <td>${r.entry?.name ?? html`<span class="muted">${t('locations.admin.unnamed')}</span>`}</td>
  <td><a href="/admin/locations?location=${encodeURIComponent(r.location)}">${t('locations.admin.edit')}</a></td>
</tr>`,
  );
  return html`<h1>${t('locations.admin.title')}</h1>
<p class="muted">${t('locations.admin.intro')}</p>
${
  rows.length === 0
    ? html`<p class="muted" data-testid="locations-none">${t('locations.admin.none')}</p>`
    : table([t('locations.admin.tag'), t('locations.admin.country'), t('locations.admin.name'), ''], lines, 'locations-table')
}
<h2>${t('locations.admin.formTitle')}</h2>
<form method="post" action="/admin/locations" class="stack" novalidate data-testid="location-form">
  ${csrfField(ctx)}${formError(errors)}
  ${field({ name: 'location', label: t('locations.admin.tag'), value: form.location, errors, attrs: html`dir="ltr" maxlength="64"` })}
  ${field({ name: 'country', label: t('locations.admin.country'), value: form.country, errors, hint: t('locations.admin.countryHint'), attrs: html`dir="ltr" maxlength="2" autocapitalize="characters"` })}
  ${field({ name: 'name', label: t('locations.admin.name'), value: form.name, errors, attrs: html`maxlength="100"` })}
  <button type="submit">${t('locations.admin.save')}</button>
</form>`;
}
