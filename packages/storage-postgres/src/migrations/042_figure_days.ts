/**
 * The daily sales per day of the figures' time zone (issue 94): the `days` rollup, one row per day (`yyyymmdd`),
 * currency and metric, which the fold keeps like the other rollups (`figureDayCells` in a buyer's contribution), so
 * `kit.salesFigures` asked in the figures' zone reads a row a day instead of summing 96 buckets. Created empty: the
 * SDK that writes it raised `FIGURES_DEFINITIONS_VERSION`, so a shop's stored figures rebuild from the rows at start-up
 * and fill it (the zone's days are the SDK's `Intl` days, not PostgreSQL's zone rules, so SQL does not compute them).
 */
export const figureDays = `
CREATE TABLE IF NOT EXISTS {{schema}}.figure_days (
  day integer NOT NULL,
  currency text COLLATE "C" NOT NULL,
  metric text COLLATE "C" NOT NULL,
  value bigint NOT NULL,
  PRIMARY KEY (day, currency, metric)
);
`;
