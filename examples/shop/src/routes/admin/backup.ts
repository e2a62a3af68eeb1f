import { Router } from 'express';
import { requireRecentAuth } from '../../http/staff-security.js';
import { backupFileName, exportBackup } from '../../app/backup/shop-backup.js';
import { ctxOf } from '../../http/context.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { backupBody } from '../../views/admin/backup-page.js';
import { adminActor } from './shared.js';

/**
 * The owner's backup download: a page saying what a backup holds and which keys restoring it needs, and the download
 * itself. Both need a recent re-authentication (a backup holds every customer and order), and each download is audited.
 */
export function backupRoutes(shop: Shop): Router {
  const router = Router();
  const recentAuth = requireRecentAuth(shop.clock);

  router.get('/admin/backup', recentAuth, (_req, res) => {
    const ctx = ctxOf(res);
    const view = { keyIds: shop.secretBox.keyIds, scheduled: shop.config.backup };
    res.send(adminPage(ctx, { title: ctx.t('backup.title'), body: backupBody(ctx, view) }).value);
  });

  router.post('/admin/backup', recentAuth, async (_req, res) => {
    const at = shop.clock.now();
    res.set('Content-Type', 'application/gzip');
    res.set('Content-Disposition', `attachment; filename="${backupFileName(at)}"`);
    await exportBackup(shop, adminActor(res), at, res);
  });
  return router;
}
