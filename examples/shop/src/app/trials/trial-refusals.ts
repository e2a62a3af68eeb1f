import type { Page } from '@panelkit/sdk';
import type { TrialRefusal } from '@panelkit/sdk/trials';
import type { AccountRole } from '../../db/accounts.js';
import { ShopError } from '../shop-error.js';
import type { Shop } from '../shop.js';

/** The most refusals one page lists. */
export const TRIAL_REFUSALS_PAGE_MAX = 100;

/**
 * Refused trial attempts, newest first (the SDK's `kit.trials.refusals`): who, which plan, why, and what matched
 * another account (Telegram id, e-mail, device). The owner's alone: what matched is never shown to a buyer, and
 * support staff get `forbidden`. The one use case behind `/admin/trials` and `GET /api/v1/trial-refusals`.
 */
export async function listTrialRefusals(
  shop: Shop,
  role: AccountRole,
  page: { limit: number; cursor: string | null },
): Promise<Page<TrialRefusal>> {
  if (role !== 'admin') throw new ShopError('forbidden', 'staff.ownersOnly');
  return shop.kit.trials.refusals({ limit: Math.min(Math.max(page.limit, 1), TRIAL_REFUSALS_PAGE_MAX), cursor: page.cursor });
}
