/**
 * `@panelkit/sdk/figures`: the owner figures as `kit.figures` answers them (issue 94): cohorts and who still pays,
 * revenue per cohort, monthly counters (first buyers, net sales, renewals, lapses, refunds, trials), LTV by
 * acquisition source, cash by gateway, churn by plan, location, storefront or source; the kit's settings
 * (`createPanelkit({ figures })`) and the fold's report. The definitions are `@panelkit/sdk/rules`' (`buyerContribution`);
 * the storage's read models are `FigureRepository` on `@panelkit/sdk/storage`.
 *
 * @module
 */
export { LTV_AGES, MAX_FIGURE_QUERY_MONTHS } from './domain/owner-figures.js';
export type {
  ChurnDimension,
  ChurnFigures,
  ChurnQuery,
  ChurnRow,
  CohortAge,
  CohortRevenueRow,
  CohortRow,
  FigureScope,
  FiguresOptions,
  FiguresStatus,
  FoldReport,
  GatewayCash,
  MonthFigures,
  OwnerFiguresOverview,
  OwnerFiguresQuery,
  PanelkitFigures,
  SourceLtv,
  TrialCounters,
} from './domain/owner-figures.js';
