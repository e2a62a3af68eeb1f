import type {
  ChurnFigures,
  ChurnQuery,
  ChurnRow,
  FigureScope,
  OwnerFiguresOverview,
  OwnerFiguresQuery,
  SourceLtv,
} from '../../domain/owner-figures.js';
import { ValidationError } from '../../errors.js';
import type { StorageRepositories } from '../../ports/storage.js';
import { figureMonthOf } from '../../rules/figures/calendar.js';
import type { FigureCell } from '../../rules/figures/cells.js';
import { ACQUISITION_SOURCE_KINDS, type AcquisitionSourceKind } from '../../rules/figures/source.js';
import type { EngineContext } from '../context.js';
import { cohortRevenueRows, cohortRows, sourceLtv } from './cohorts.js';
import { gatewayCash, monthFigures } from './months.js';
import { checkFiguresQuery, monthsOf } from './query.js';
import { figuresStatus } from './rebuild.js';
import type { ResolvedFigures } from './settings.js';

/** The scopes LTV by source reads for a query's scope, each with the source kind it stands for. */
function ltvScopes(scope: FigureScope): [AcquisitionSourceKind, FigureScope][] {
  if (scope === '*') return ACQUISITION_SOURCE_KINDS.map((kind) => [kind, `src:${kind}`]);
  if (scope.startsWith('sf:')) return [['storefront', scope]];
  return [[scope.slice(4) as AcquisitionSourceKind, scope]];
}

async function ltvOf(figures: StorageRepositories['figures'], scope: FigureScope, from: number, to: number, current: number) {
  const rows: SourceLtv[] = [];
  for (const [kind, s] of ltvScopes(scope)) {
    const [cohorts, revenue] = await Promise.all([
      figures.cells({ table: 'cohorts', scope: s, fromCohort: from, toCohort: to }),
      figures.cells({ table: 'cohort_revenue', scope: s, fromCohort: from, toCohort: to }),
    ]);
    rows.push(...sourceLtv(kind, cohorts, revenue, current));
  }
  return rows;
}

/**
 * `kit.figures.overview`: the sections of a scope over months `from`..`to`, read from the rollups only (a few hundred
 * rows; never the history), as of the last fold. Writes nothing and folds nothing: call `foldNow()` first to read your
 * own writes. Cash by gateway is `null` for any scope but `*`. Bad input: `ValidationError`.
 */
export async function figuresOverview(
  ctx: EngineContext,
  settings: ResolvedFigures,
  query: OwnerFiguresQuery,
): Promise<OwnerFiguresOverview> {
  checkFiguresQuery(query);
  const { scope, from, to } = query;
  const figures = ctx.storage.figures;
  const current = figureMonthOf(ctx.clock.now(), settings.calendar);
  const [status, cohorts, revenue, months, cash, ltvBySource] = await Promise.all([
    figuresStatus(ctx, settings),
    figures.cells({ table: 'cohorts', scope, fromCohort: from, toCohort: to }),
    figures.cells({ table: 'cohort_revenue', scope, fromCohort: from, toCohort: to }),
    figures.cells({ table: 'months', scope, fromMonth: from, toMonth: to }),
    scope === '*' ? figures.cells({ table: 'cash', fromMonth: from, toMonth: to }) : Promise.resolve(null),
    ltvOf(figures, scope, from, to, current),
  ]);
  return {
    scope,
    from,
    to,
    cohorts: cohortRows(cohorts, current),
    cohortRevenue: cohortRevenueRows(revenue, current),
    months: monthFigures(months, monthsOf(from, to)),
    ltvBySource,
    cash: cash === null ? null : gatewayCash(cash),
    foldedAt: status.foldedAt,
    pending: status.pending,
    rebuilding: status.rebuilding,
  };
}

type LapseCell = Extract<FigureCell, { table: 'lapses' }>;

function addRow(rows: Map<string, ChurnRow>, month: number, key: string, value: number): void {
  const id = `${month}\u0000${key}`;
  const row = rows.get(id) ?? { month, key, lapsed: 0 };
  row.lapsed += value;
  rows.set(id, row);
}

async function lapsedByScope(figures: StorageRepositories['figures'], keyed: [string, string][], from: number, to: number) {
  const rows = new Map<string, ChurnRow>();
  for (const [key, scope] of keyed) {
    const cells = await figures.cells({ table: 'months', scope, fromMonth: from, toMonth: to, metrics: ['lapsed'] });
    for (const c of cells) if (c.table === 'months' && c.metric === 'lapsed') addRow(rows, c.month, key, c.value);
  }
  return rows;
}

/**
 * `kit.figures.churnBy`: lapsed units per month and key. `plan` and `location` read the scope's `lapses` (a location
 * is each tag of the panel the unit lapsed on, read now, so relabelling needs no rebuild; `''` for an untagged panel);
 * `storefront` reads every storefront's `sf:` scope and `source` every `src:` scope (the query's scope must be `*`
 * for those two). Rows are per (plan, panel) as the rollups keep them: a unit with parts on two panels counts once on
 * each. Bad input: `ValidationError`.
 */
export async function churnBy(ctx: EngineContext, settings: ResolvedFigures, query: ChurnQuery): Promise<ChurnFigures> {
  checkFiguresQuery(query);
  const { dimension, from, to, scope } = query;
  if (!['plan', 'location', 'storefront', 'source'].includes(dimension))
    throw new ValidationError('invalid churn query: dimension', [
      { path: 'dimension', message: 'must be plan, location, storefront or source' },
    ]);
  if ((dimension === 'storefront' || dimension === 'source') && scope !== '*')
    throw new ValidationError(`invalid churn query: scope must be * for ${dimension}`, [{ path: 'scope', message: 'must be *' }]);
  const figures = ctx.storage.figures;
  let rows: Map<string, ChurnRow>;
  if (dimension === 'storefront') {
    const storefronts = await ctx.storage.storefronts.list();
    rows = await lapsedByScope(
      figures,
      storefronts.map((s) => [s.id, `sf:${s.id}`]),
      from,
      to,
    );
  } else if (dimension === 'source') {
    rows = await lapsedByScope(
      figures,
      ACQUISITION_SOURCE_KINDS.map((k) => [k, `src:${k}`]),
      from,
      to,
    );
  } else {
    rows = new Map();
    const cells = (await figures.cells({ table: 'lapses', scope, fromMonth: from, toMonth: to })) as LapseCell[];
    const tags = dimension === 'location' ? new Map((await ctx.storage.panels.list()).map((p) => [p.id, p.locationTags])) : null;
    for (const c of cells) {
      if (tags === null) addRow(rows, c.month, c.planId, c.value);
      else {
        const of = tags.get(c.panelId) ?? [];
        for (const tag of of.length === 0 ? [''] : of) addRow(rows, c.month, tag, c.value);
      }
    }
  }
  const status = await figuresStatus(ctx, settings);
  const sorted = [...rows.values()]
    .filter((r) => r.lapsed !== 0)
    .sort((a, b) => a.month - b.month || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { dimension, from, to, rows: sorted, foldedAt: status.foldedAt, pending: status.pending, rebuilding: status.rebuilding };
}
