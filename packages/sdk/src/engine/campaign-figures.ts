import type { CampaignFigures } from '../domain/campaign.js';
import type { SalesFiguresQuery } from '../domain/sales.js';
import type { StorageRepositories } from '../ports/storage.js';
import { salesDaysOf } from './sales-figures.js';

/**
 * Each campaign's sign-ups, first purchases and net revenue over the days `from`..`to` (both included) on the wall
 * clock of `timeZone`, counted by the storage (`sales.campaigns`) under the definitions of the sales figures. The
 * query is checked as for `kit.salesFigures` (`ValidationError`). Reads only.
 */
export async function campaignFigures(repos: StorageRepositories, query: SalesFiguresQuery): Promise<CampaignFigures[]> {
  return repos.sales.campaigns({ days: salesDaysOf(query) });
}
