import type { GatewayCash, MonthFigures, TrialCounters } from '../../domain/owner-figures.js';
import type { FigureCell, FigureMonthMetric } from '../../rules/figures/cells.js';

type MonthCell = Extract<FigureCell, { table: 'months' }>;
type CashCell = Extract<FigureCell, { table: 'cash' }>;

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function trialCounters(get: (metric: FigureMonthMetric) => number): TrialCounters {
  const started = get('trials_started');
  const converted30d = get('trials_converted_30d');
  const convertedLater = get('trials_converted_later');
  const alreadyPaying = get('trials_already_paying');
  const base = started - alreadyPaying;
  return { started, converted30d, convertedLater, alreadyPaying, conversionRate: base > 0 ? (converted30d + convertedLater) / base : null };
}

/**
 * The monthly counters of every month in `months` from `months` cells of one scope: counts summed over their keys
 * (campaign slugs under `src:campaign`), net sales per currency, trials in all and per family, and the rates.
 */
export function monthFigures(cells: readonly FigureCell[], months: readonly number[]): MonthFigures[] {
  const of = new Map<number, MonthCell[]>();
  for (const c of cells as MonthCell[]) of.set(c.month, [...(of.get(c.month) ?? []), c]);
  return months.map((month) => {
    const own = of.get(month) ?? [];
    const sum = (metric: FigureMonthMetric, family?: string) =>
      own.filter((c) => c.metric === metric && (family === undefined || c.key === family)).reduce((n, c) => n + c.value, 0);
    const sales = new Map<string, number>();
    for (const c of own) if (c.metric === 'net_sales') sales.set(c.currency, (sales.get(c.currency) ?? 0) + c.value);
    const families = [...new Set(own.filter((c) => c.metric.startsWith('trials_')).map((c) => c.key))].sort(byString);
    const renewalsAuto = sum('renewals_auto');
    const renewalsManual = sum('renewals_manual');
    const lapsed = sum('lapsed');
    const renewals = renewalsAuto + renewalsManual;
    return {
      month,
      firstBuyers: sum('first_buyers'),
      netSales: [...sales].sort(([a], [b]) => byString(a, b)).map(([currency, amount]) => ({ currency, amount })),
      renewalsAuto,
      renewalsManual,
      lapsed,
      refundedUnits: sum('refunded_units'),
      renewalRate: renewals + lapsed > 0 ? renewals / (renewals + lapsed) : null,
      trials: trialCounters((m) => sum(m)),
      trialsByFamily: families.map((family) => ({ family, ...trialCounters((m) => sum(m, family)) })),
      trialRefusals: sum('trial_refusals'),
    };
  });
}

/** Cash by gateway from `cash` cells: one row per month, provider and currency, ordered so, with the net. */
export function gatewayCash(cells: readonly FigureCell[]): GatewayCash[] {
  const rows = new Map<string, GatewayCash>();
  for (const c of cells as CashCell[]) {
    const key = `${c.month}\u0000${c.providerId}\u0000${c.currency}`;
    const row = rows.get(key) ?? {
      month: c.month,
      providerId: c.providerId,
      currency: c.currency,
      credited: 0,
      reversed: 0,
      refunded: 0,
      net: 0,
    };
    row[c.flow] += c.value;
    row.net = row.credited - row.reversed - row.refunded;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => a.month - b.month || byString(a.providerId, b.providerId) || byString(a.currency, b.currency));
}
