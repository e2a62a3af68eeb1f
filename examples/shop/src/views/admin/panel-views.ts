import type { Panel, Target, TargetSyncResult } from '@panelkit/sdk';
import type { PanelHealthReport } from '@panelkit/sdk/adapter';
import type { RequestContext } from '../../http/context.js';
import { formatNumber } from '../../i18n/format.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';
import { actionButton, badge, table, when } from './widgets.js';
import { targetKindBadges } from './target-kinds.js';

/** A panel's address as it may be shown: any `user:pass@` taken out. */
export function displayUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return '';
  }
}

export function healthCell(ctx: RequestContext, timeZone: string, panel: Panel): SafeHtml {
  const h = panel.health;
  return html`${badge(ctx, 'health', h.status)}
${h.latencyMs !== null ? html`<small class="muted">${ctx.t('adminOps.panels.latency', { ms: formatNumber(Math.round(h.latencyMs), ctx.locale) })}</small>` : ''}
${h.version !== null ? html`<small class="muted">${ctx.t('adminOps.panels.version', { version: h.version })}</small>` : ''}
${h.lastError !== null ? html`<small class="error" data-testid="health-error">${h.lastError}</small>` : ''}
<small class="muted">${ctx.t('adminOps.panels.checkedAt')}: ${when(ctx, timeZone, h.checkedAt)}</small>`;
}

/** The outcome of testing settings before they are saved. */
export function testReport(ctx: RequestContext, report: PanelHealthReport): SafeHtml {
  return html`<div class="card test-result" role="status" data-testid="test-result" data-ok="${report.ok ? 'yes' : 'no'}">
  <p>${badge(ctx, 'health', report.ok ? 'healthy' : 'unhealthy')} ${report.ok ? ctx.t('adminOps.panels.testOk') : ctx.t('adminOps.panels.testFailed')}</p>
  <p class="muted">${ctx.t('adminOps.panels.latency', { ms: formatNumber(Math.round(report.latencyMs), ctx.locale) })}${report.version !== null ? html` · ${ctx.t('adminOps.panels.version', { version: report.version })}` : ''}</p>
  ${report.message !== null ? html`<p class="error">${report.message}</p>` : ''}
</div>`;
}

function capacityText(ctx: RequestContext, target: Target): string {
  const allocated = formatNumber(target.allocated, ctx.locale);
  return target.capacity === null
    ? ctx.t('adminOps.targets.ofUnlimited', { allocated })
    : ctx.t('adminOps.targets.ofCapacity', { allocated, capacity: formatNumber(target.capacity, ctx.locale) });
}

function targetRow(ctx: RequestContext, panel: Panel, target: Target): SafeHtml {
  const { t } = ctx;
  return html`<tr data-testid="target-row" data-target-id="${target.id}">
  <td>${target.name} <small class="muted ltr">${target.protocol} · ${target.remoteRef}</small> ${targetKindBadges(ctx, target)}</td>
  <td data-testid="target-capacity">${capacityText(ctx, target)}</td>
  <td>${target.isDefault ? html`<span class="badge">${t('adminOps.targets.default')}</span>` : ''}
      ${target.provisioningEnabled ? badge(ctx, 'onOff', 'on') : badge(ctx, 'onOff', 'off')}</td>
  <td>${target.tags.join(', ')}</td>
  <td><a href="/admin/panels/${panel.id}/targets/${target.id}" data-testid="edit-target">${t('adminOps.edit')}</a></td>
</tr>`;
}

function syncReport(ctx: RequestContext, sync: TargetSyncResult): SafeHtml {
  const { t } = ctx;
  return html`<div class="card" role="status" data-testid="sync-result">
  <h3>${t('adminOps.targets.syncResult', { added: sync.added.length, missing: sync.missing.length, total: sync.total })}</h3>
  ${sync.added.length > 0 ? html`<p>${t('adminOps.targets.added')}</p><ul data-testid="sync-added">${sync.added.map((x) => html`<li>${x.name} <small class="muted ltr">${x.protocol}</small></li>`)}</ul>` : ''}
  ${sync.missing.length > 0 ? html`<p>${t('adminOps.targets.missing')}</p><ul data-testid="sync-missing">${sync.missing.map((x) => html`<li>${x.name} <small class="muted ltr">${x.remoteRef}</small></li>`)}</ul>` : ''}
</div>`;
}

/** One panel: its settings and health, actions, and its targets. */
export function panelBody(
  ctx: RequestContext,
  timeZone: string,
  panel: Panel,
  targets: Target[],
  sync: TargetSyncResult | null,
  syncError: string | null,
): SafeHtml {
  const { t } = ctx;
  return html`<h1>${panel.name}</h1>
<section class="card">
  <dl class="facts" data-testid="panel-facts">
    <dt>${t('adminOps.panels.kind')}</dt><dd>${panel.kind}</dd>
    <dt>${t('adminOps.panels.url')}</dt><dd class="ltr">${displayUrl(panel.baseUrl)}</dd>
    <dt>${t('adminOps.panels.credentials')}</dt><dd>${t(`adminOps.panels.credentialType.${panel.credentials.type}`)}</dd>
    <dt>${t('adminOps.panels.locations')}</dt><dd>${panel.locationTags.join(', ') || '—'}</dd>
    <dt>${t('adminOps.panels.enabled')}</dt><dd>${badge(ctx, 'onOff', panel.enabled ? 'on' : 'off')}</dd>
    <dt>${t('adminOps.panels.health')}</dt><dd data-testid="panel-health">${healthCell(ctx, timeZone, panel)}</dd>
  </dl>
  <div class="actions">
    <a class="button small secondary" href="/admin/panels/${panel.id}/edit" data-testid="edit-panel">${t('adminOps.edit')}</a>
    <a class="button small secondary" href="/admin/panels/${panel.id}/evacuate" data-testid="evacuate-panel">${t('evacuation.link')}</a>
    ${actionButton(ctx, { action: `/admin/panels/${panel.id}/test`, label: t('adminOps.panels.test'), testid: 'test-connection' })}
    ${actionButton(ctx, {
      action: `/admin/panels/${panel.id}/enabled`,
      label: panel.enabled ? t('adminOps.panels.disable') : t('adminOps.panels.enable'),
      testid: 'toggle-panel',
      hidden: { enabled: panel.enabled ? 'off' : 'on' },
      ...(panel.enabled ? { confirm: t('adminOps.panels.disableConfirm'), danger: true } : {}),
    })}
  </div>
</section>
<h2>${t('adminOps.targets.title')}</h2>
${syncError !== null ? html`<p class="error" role="alert" data-testid="sync-error">${syncError}</p>` : ''}
${sync !== null ? syncReport(ctx, sync) : ''}
<form method="post" action="/admin/panels/${panel.id}/sync" class="inline-form" data-testid="sync-form">
  ${csrfField(ctx)}
  <label for="f-capacity">${t('adminOps.targets.newCapacity')}
    <input id="f-capacity" name="capacity" inputmode="numeric" placeholder="${t('adminOps.unlimited')}">
  </label>
  <button type="submit" class="small" data-testid="sync-targets">${t('adminOps.targets.sync')}</button>
</form>
${
  targets.length === 0
    ? html`<p class="muted">${t('adminOps.targets.none')}</p>`
    : table(
        [t('adminOps.targets.name'), t('adminOps.targets.capacity'), t('adminOps.targets.flags'), t('adminOps.targets.tags'), ''],
        targets.map((x) => targetRow(ctx, panel, x)),
        'targets',
      )
}`;
}

/** Every panel with its health. */
export function panelsListBody(ctx: RequestContext, timeZone: string, panels: Panel[]): SafeHtml {
  const { t } = ctx;
  return html`<h1>${t('adminOps.panels.title')}</h1>
<p><a class="button" href="/admin/panels/new" data-testid="add-panel">${t('adminOps.panels.add')}</a></p>
${
  panels.length === 0
    ? html`<p class="muted">${t('adminOps.panels.none')}</p>`
    : table(
        [
          t('adminOps.panels.name'),
          t('adminOps.panels.kind'),
          t('adminOps.panels.url'),
          t('adminOps.panels.locations'),
          t('adminOps.panels.enabled'),
          t('adminOps.panels.health'),
        ],
        panels.map(
          (p) => html`<tr data-testid="panel-row" data-panel-id="${p.id}">
  <td><a href="/admin/panels/${p.id}">${p.name}</a></td>
  <td>${p.kind}</td>
  <td class="ltr">${displayUrl(p.baseUrl)}</td>
  <td>${p.locationTags.join(', ')}</td>
  <td>${badge(ctx, 'onOff', p.enabled ? 'on' : 'off')}</td>
  <td>${healthCell(ctx, timeZone, p)}</td>
</tr>`,
        ),
        'panels',
      )
}`;
}
