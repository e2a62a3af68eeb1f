import type { RequestContext } from '../../http/context.js';
import { formatNumber } from '../../i18n/format.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

/** What the backup page shows: the keys a restore will need, and the scheduled backups' settings (or `null`: off). */
export interface BackupView {
  keyIds: readonly string[];
  scheduled: { dir: string; everyHours: number; keep: number } | null;
}

/** The owner's backup page: what a backup holds, what restoring it needs, and the download button. */
export function backupBody(ctx: RequestContext, view: BackupView): SafeHtml {
  const { t, locale } = ctx;
  return html`<h1>${t('backup.title')}</h1>
<p>${t('backup.intro')}</p>
<p>${t('backup.keys')} <code dir="ltr" data-testid="backup-keys">${view.keyIds.join(', ')}</code></p>
<p class="muted">${t('backup.restoreHint')}</p>
<form method="post" action="/admin/backup" data-testid="backup-form">
  ${csrfField(ctx)}
  <button type="submit" data-testid="download-backup">${t('backup.download')}</button>
</form>
<h2>${t('backup.scheduledTitle')}</h2>
${
  view.scheduled === null
    ? html`<p class="muted" data-testid="backup-scheduled">${t('backup.scheduledOff')}</p>`
    : html`<p data-testid="backup-scheduled">${t('backup.scheduledOn', { hours: t('subscription.duration.hours', { count: view.scheduled.everyHours }), keep: formatNumber(view.scheduled.keep, locale) })} <code dir="ltr">${view.scheduled.dir}</code></p>`
}`;
}
