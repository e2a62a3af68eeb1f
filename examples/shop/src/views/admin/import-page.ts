import type { RequestContext } from '../../http/context.js';
import type { FieldErrors } from '../../app/input/forms.js';
import type { ImportRun } from '../../db/import-runs.js';
import { field, formError } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { hasMessage } from '../../i18n/translate.js';
import { csrfField } from '../layout.js';
import { checkField, selectField, table, when } from './widgets.js';

/** What the owner typed, shown again after a refusal (never the database URL: it holds a password). */
export interface ImportFormValues {
  kind: string;
  amountFactor: string;
  dryRun: boolean;
}

function progressOf(ctx: RequestContext, run: ImportRun): SafeHtml {
  const percent = run.total === 0 ? (run.state === 'done' ? 100 : 0) : Math.floor((run.done * 100) / run.total);
  const seconds = run.startedAt === null ? 0 : (run.updatedAt.getTime() - run.startedAt.getTime()) / 1000;
  const rate = seconds > 0 ? Math.round(run.done / seconds) : null;
  return html`<progress max="100" value="${percent}"></progress>
<span data-testid="import-progress">${ctx.t('import.progressValue', { done: run.done, total: run.total, percent })}</span>
${rate === null ? '' : html`<br><span class="muted">${ctx.t('import.rate', { rate })}</span>`}`;
}

function stateOf(ctx: RequestContext, run: ImportRun): SafeHtml {
  return html`<span class="badge ${run.state}" data-state="${run.state}">${ctx.t(`import.states.${run.state}`)}</span>${
    run.dryRun ? html` <span class="badge">${ctx.t('import.dryRunBadge')}</span>` : ''
  }`;
}

/** Whether a page showing these runs should refresh itself. */
export function anyUnderWay(runs: readonly ImportRun[]): boolean {
  return runs.some((r) => r.state === 'queued' || r.state === 'running');
}

/** The import page: the form that starts one, and the latest runs with their progress. */
export function importBody(
  ctx: RequestContext,
  timeZone: string,
  runs: readonly ImportRun[],
  form: { values: ImportFormValues; errors?: FieldErrors },
): SafeHtml {
  const { t } = ctx;
  const { values, errors } = form;
  return html`<h1>${t('import.title')}</h1>
<p class="muted">${t('import.intro')}</p>
<section class="card">
  <form method="post" action="/admin/import" data-testid="import-form" autocomplete="off">
    ${csrfField(ctx)}
    ${formError(errors)}
    ${selectField({
      name: 'kind',
      label: t('import.kind'),
      value: values.kind,
      choices: [
        ['mirza', t('import.kinds.mirza')],
        ['wizwiz', t('import.kinds.wizwiz')],
      ],
      ...(errors === undefined ? {} : { errors }),
    })}
    ${field({
      name: 'databaseUrl',
      label: t('import.databaseUrl'),
      type: 'password',
      autocomplete: 'off',
      required: true,
      hint: t('import.databaseUrlHint'),
      ...(errors === undefined ? {} : { errors }),
    })}
    ${field({
      name: 'amountFactor',
      label: t('import.amountFactor'),
      value: values.amountFactor,
      hint: t('import.amountFactorHint'),
      ...(errors === undefined ? {} : { errors }),
    })}
    ${checkField({ name: 'dryRun', label: t('import.dryRun'), checked: values.dryRun })}
    <button type="submit" data-testid="start-import">${t('import.start')}</button>
  </form>
</section>
<section class="card">
  <h2>${t('import.runs')}</h2>
  ${
    runs.length === 0
      ? html`<p class="muted">${t('import.none')}</p>`
      : table(
          [t('import.createdAt'), t('import.kind'), t('import.database'), t('import.state'), t('import.progress'), ''],
          runs.map(
            (run) => html`<tr data-testid="import-run" data-id="${run.id}">
  <td>${when(ctx, timeZone, run.createdAt)}</td>
  <td>${t(`import.kinds.${run.kind}`)}</td>
  <td class="ltr">${run.database}</td>
  <td>${stateOf(ctx, run)}</td>
  <td>${progressOf(ctx, run)}</td>
  <td><a href="/admin/import/${run.id}">${t('import.open')}</a></td>
</tr>`,
          ),
          'import-runs',
        )
  }
  ${anyUnderWay(runs) ? html`<p class="muted">${t('import.refreshing')}</p>` : ''}
</section>`;
}

/** Why a row was not brought over, in the reader's language; a code from a newer SDK with no sentence yet, as recorded. */
function reasonText(ctx: RequestContext, reason: string | null): string {
  if (reason === null) return '';
  const key = `import.reasons.${reason}`;
  return hasMessage(key) ? ctx.t(key) : reason;
}

/** One run: its progress, and once done its report (counts, and every row not brought over with its reason). */
export function importRunBody(ctx: RequestContext, timeZone: string, run: ImportRun): SafeHtml {
  const { t } = ctx;
  const s = run.summary;
  const tallies =
    s === null
      ? []
      : ([
          ['customers', s.customers],
          ['balances', s.balances],
          ['plans', s.plans],
          ['services', s.services],
        ] as const);
  return html`<h1>${t('import.runTitle', { id: run.id })}</h1>
<section class="card" data-testid="import-run-facts">
  <dl class="facts">
    <dt>${t('import.kind')}</dt><dd>${t(`import.kinds.${run.kind}`)}</dd>
    <dt>${t('import.database')}</dt><dd class="ltr">${run.database}</dd>
    <dt>${t('import.createdAt')}</dt><dd>${when(ctx, timeZone, run.createdAt)}</dd>
    <dt>${t('import.state')}</dt><dd>${stateOf(ctx, run)}</dd>
    <dt>${t('import.progress')}</dt><dd>${progressOf(ctx, run)}</dd>
    ${run.error === null ? '' : html`<dt>${t('import.error')}</dt><dd data-testid="import-error">${run.error}</dd>`}
  </dl>
  ${anyUnderWay([run]) ? html`<p class="muted">${t('import.refreshing')}</p>` : ''}
</section>
${
  s === null
    ? ''
    : html`<section class="card" data-testid="import-report">
  <h2>${t('import.report')}</h2>
  ${table(
    [t('import.kindOfRow'), t('import.created'), t('import.exists'), t('import.unmappedCount')],
    tallies.map(
      ([kind, tally]) => html`<tr data-testid="import-tally" data-kind="${kind}">
  <td>${t(`import.rows.${kind}`)}</td><td>${tally.created}</td><td>${tally.exists}</td><td>${tally.unmapped}</td>
</tr>`,
    ),
    'import-tallies',
  )}
  <p>${t('import.credited')}: <span data-testid="import-credited">${s.balances.credited}</span></p>
  ${
    run.unmapped.length === 0
      ? ''
      : html`<h3>${t('import.unmapped')}</h3>
  ${table(
    [t('import.kindOfRow'), t('import.ref'), t('import.reason'), t('import.detail')],
    run.unmapped.map(
      (row) =>
        html`<tr data-testid="import-unmapped"><td>${t(`import.rows.${row.kind}s`)}</td><td class="ltr">${row.ref}</td><td data-reason="${row.reason ?? ''}">${reasonText(ctx, row.reason)}</td><td class="ltr">${row.detail ?? ''}</td></tr>`,
    ),
    'import-unmapped',
  )}`
  }
</section>`
}
<p><a href="/admin/import">${t('import.back')}</a></p>`;
}
