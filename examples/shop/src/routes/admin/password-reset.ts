import { Router } from 'express';
import { issueResetByAdmin } from '../../app/auth/password-reset.js';
import { requireRecentAuth } from '../../http/staff-security.js';
import { requireAdmin } from '../../http/viewer.js';
import { ctxOf, viewerOf } from '../../http/context.js';
import { ShopError } from '../../app/shop-error.js';
import type { Shop } from '../../app/shop.js';
import { resetLinkIssuedPage } from '../../views/credentials-pages.js';

/**
 * An admin issues a password-reset link for a buyer who cannot receive one (no email, no Telegram).
 * The link is shown once, in the answer to the post, and never stored in the clear. It hands over the
 * account, so it needs a recent password or code.
 */
export function adminPasswordResetRoutes(shop: Shop): Router {
  const router = Router();
  router.post('/admin/customers/:id/password-reset', requireAdmin, requireRecentAuth(shop.clock), async (req, res) => {
    const customerId = String(req.params['id'] ?? '');
    const account = await shop.accounts.getByCustomer(customerId);
    if (account === null) throw new ShopError('not_found', 'errors.notFound');
    const link = await issueResetByAdmin(shop, account, viewerOf(res).account);
    if (link === null) throw new ShopError('forbidden', 'staff.ownersOnly');
    res.send(resetLinkIssuedPage(ctxOf(res), { customerId, email: account.email, link }).value);
  });
  return router;
}
