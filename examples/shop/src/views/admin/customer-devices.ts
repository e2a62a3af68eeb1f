import type { Device } from '@panelkit/sdk';
import type { SubscriptionDevices } from '../../app/devices/subscription-devices.js';
import type { RequestContext } from '../../http/context.js';
import { deviceCountText, deviceDetails, deviceName } from '../../i18n/device-text.js';
import { formatDateTime } from '../../i18n/format.js';
import { field } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

/** A hardware id shortened for a table (it is long and only told apart by its ends); the full one in `title`. */
function shortHwid(hwid: string): string {
  return hwid.length <= 16 ? hwid : `${hwid.slice(0, 8)}…${hwid.slice(-6)}`;
}

function deviceRow(ctx: RequestContext, device: Device, timeZone: string): SafeHtml {
  const { t, locale } = ctx;
  return html`<tr data-testid="staff-device" data-device-id="${device.id}">
  <td>${deviceName(device, t)}</td>
  <td dir="ltr">${deviceDetails(device)}</td>
  <td dir="ltr"><code title="${device.hwid}">${shortHwid(device.hwid)}</code></td>
  <td data-label="${t('devices.firstSeen')}">${formatDateTime(device.firstSeenAt, locale, timeZone)}</td>
  <td data-label="${t('devices.lastSeen')}">${formatDateTime(device.lastSeenAt, locale, timeZone)}</td>
</tr>`;
}

function subscriptionDevices(ctx: RequestContext, view: SubscriptionDevices, plan: string, action: string, timeZone: string): SafeHtml {
  const { t } = ctx;
  const sub = view.subscription;
  return html`<div class="card" data-testid="staff-devices" data-subscription-id="${sub.id}" data-count="${view.devices.length}">
  <h3>${plan} · ${deviceCountText(view.devices.length, view.limit, t)}</h3>
  ${
    view.devices.length === 0
      ? html`<p class="muted">${t('devices.admin.none')}</p>`
      : html`<div class="table-wrap"><table class="devices">
    <thead><tr><th>${t('devices.device')}</th><th>${t('devices.details')}</th><th>${t('devices.admin.hwid')}</th><th>${t('devices.firstSeen')}</th><th>${t('devices.lastSeen')}</th></tr></thead>
    <tbody>${view.devices.map((d) => deviceRow(ctx, d, timeZone))}</tbody>
  </table></div>`
  }
  <form method="post" action="${action}" class="inline" data-testid="reset-devices" novalidate>
    ${csrfField(ctx)}<input type="hidden" name="subscriptionId" value="${sub.id}">
    ${field({ name: 'reason', label: t('devices.admin.reason'), value: '', required: true, id: `reason-${sub.id}`, attrs: html`maxlength="500" autocomplete="off"` })}
    <button type="submit" class="small secondary">${t('devices.admin.reset')}</button>
  </form>
</div>`;
}

/**
 * "Devices of a buyer" on the admin's customer page: each subscription's devices (with their hardware ids, for
 * support) against its limit, and a reset with a reason for the audit log.
 */
export function customerDevicesSection(
  ctx: RequestContext,
  customerId: string,
  devices: readonly SubscriptionDevices[],
  planNames: ReadonlyMap<string, string>,
  timeZone: string,
): SafeHtml {
  const { t } = ctx;
  const action = `/admin/customers/${encodeURIComponent(customerId)}/devices/reset`;
  return html`<section id="devices" data-testid="customer-devices">
<h2>${t('devices.admin.title')}</h2>
<p class="muted">${t('devices.admin.help')}</p>
${
  devices.length === 0
    ? html`<p class="muted">${t('devices.admin.noSubscriptions')}</p>`
    : devices.map((d) => subscriptionDevices(ctx, d, planNames.get(d.subscription.planId) ?? d.subscription.planId, action, timeZone))
}
</section>`;
}
