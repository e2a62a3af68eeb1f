import type { FiguresOptions } from '../../domain/owner-figures.js';
import { ConfigurationError, ValidationError } from '../../errors.js';
import { MAX_FIGURE_BUYERS_PER_CALL } from '../../ports/storage-figures.js';
import { assertFiguresCalendar, type FiguresCalendar } from '../../rules/figures/calendar.js';

/** The job that folds the figures' inbox into the rollups (one pending, one running, across replicas). */
export const FIGURES_FOLD_JOB = 'figures.fold';
/** The job that clears the rollups and pages every customer into the inbox (a rebuild). */
export const FIGURES_REBUILD_JOB = 'figures.rebuild';
/** The serialisation key both jobs carry: a rebuild's clear never runs beside a fold job. */
export const FIGURES_SERIAL_KEY = 'figures';
/** The tick whose slot (every `foldIntervalMs`) one replica wins to look at the inbox and the meta. */
export const FIGURES_TICK = 'panelkit:figures';
/** Customers a rebuild's page marks in one statement. */
export const REBUILD_PAGE = 1000;

/** {@link FiguresOptions} with every default filled in. */
export interface ResolvedFigures {
  readonly calendar: FiguresCalendar;
  readonly foldIntervalMs: number;
  readonly foldBudgetMs: number;
  readonly foldBatchSize: number;
}

/** Fills in `createPanelkit`'s `figures` options; `ConfigurationError` for an unknown zone or calendar or a bad number. */
export function resolveFigures(options: FiguresOptions | undefined): ResolvedFigures {
  const calendar: FiguresCalendar = { timeZone: options?.timeZone ?? 'UTC', calendar: options?.calendar ?? 'gregorian' };
  try {
    assertFiguresCalendar(calendar);
  } catch (error) {
    if (error instanceof ValidationError) throw new ConfigurationError(`options.figures: ${error.message} (${JSON.stringify(calendar)})`);
    throw error;
  }
  const number = (name: keyof FiguresOptions, fallback: number, max: number) => {
    const value = options?.[name] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
      throw new ConfigurationError(`options.figures.${name} must be an integer from 1 to ${max}`);
    return value;
  };
  return {
    calendar,
    foldIntervalMs: number('foldIntervalMs', 5_000, 86_400_000),
    foldBudgetMs: number('foldBudgetMs', 5_000, 600_000),
    foldBatchSize: number('foldBatchSize', 500, MAX_FIGURE_BUYERS_PER_CALL),
  };
}
