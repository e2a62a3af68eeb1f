import type { Device } from '@panelkit/sdk';
import type { SubscriptionDevices } from '../app/devices/subscription-devices.js';
import type { DevicePackOfferView } from '../app/devices/device-packs.js';
import { devicePackForm } from './device-pack.js';
import type { RequestContext } from '../http/context.js';
import { deviceCountText, deviceDetails, deviceName } from '../i18n/device-text.js';
import { formatDateTime } from '../i18n/format.js';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './layout.js';

function deviceRow(ctx: RequestContext, subscriptionId: string, device: Device, timeZone: string): SafeHtml {
  const { t, locale } = ctx;
  const name = deviceName(device, t);
  return html`<tr data-testid="device" data-device-id="${device.id}">
  <td>${name}</td>
  <td dir="ltr">${deviceDetails(device)}</td>
  <td data-label="${t('devices.firstSeen')}">${formatDateTime(device.firstSeenAt, locale, timeZone)}</td>
  <td data-label="${t('devices.lastSeen')}">${formatDateTime(device.lastSeenAt, locale, timeZone)}</td>
  <td><details class="confirm"><summary class="button small secondary" data-testid="device-remove">${t('devices.remove')}</summary>
    <form method="post" action="/subscriptions/${subscriptionId}/devices/${device.id}/remove">
      ${csrfField(ctx)}<p>${t('devices.removeConfirm', { device: name })}</p>
      <button type="submit" class="small danger" data-testid="device-remove-confirm">${t('devices.removeYes')}</button>
    </form></details></td>
</tr>`;
}

/** Extra devices for sale beside "my devices": the offer and its form, when the plan sells them. */
export interface DevicePackSlot {
  offer: DevicePackOfferView;
  idempotencyKey: string;
}

/**
 * "My devices" on the buyer's subscription page: how many of its limit are in use, each device with what its app
 * said about it and when it was first and last seen, and a Remove button that asks first (no script: `<details>`).
 * Below them, "add devices" when the plan sells extra devices (`pack`).
 */
export function devicesSection(
  ctx: RequestContext,
  view: SubscriptionDevices,
  timeZone: string,
  pack: DevicePackSlot | null = null,
): SafeHtml {
  const { t } = ctx;
  const subId = view.subscription.id;
  return html`<section class="card" id="devices" data-testid="devices" data-count="${view.devices.length}" data-limit="${view.limit ?? ''}">
  <h2>${t('devices.title')}</h2>
  <p data-testid="device-count">${t('devices.used', { used: deviceCountText(view.devices.length, view.limit, t) })}</p>
  <p class="muted">${t('devices.help')} ${t(`devices.policy.${view.noHwidPolicy}`)}</p>
  ${
    view.devices.length === 0
      ? html`<p class="muted" data-testid="no-devices">${t('devices.none')}</p>`
      : html`<div class="table-wrap"><table class="devices">
    <thead><tr><th>${t('devices.device')}</th><th>${t('devices.details')}</th><th>${t('devices.firstSeen')}</th><th>${t('devices.lastSeen')}</th><th></th></tr></thead>
    <tbody>${view.devices.map((d) => deviceRow(ctx, subId, d, timeZone))}</tbody>
  </table></div>`
  }
  ${pack === null || pack.offer.offer === null ? '' : devicePackForm(ctx, pack.offer, pack.idempotencyKey, timeZone)}
</section>`;
}
