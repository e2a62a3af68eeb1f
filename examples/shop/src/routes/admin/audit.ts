import { ActorSchema } from '@panelkit/sdk/schemas';
import { Router } from 'express';
import { actorNames } from '../../db/actor-names.js';
import { ctxOf } from '../../http/context.js';
import type { Shop } from '../../app/shop.js';
import { adminPage } from '../../views/admin-layout.js';
import { auditBody, type AuditFilter } from '../../views/admin/audit-page.js';
import { cursorOf, queryText } from './shared.js';

const PAGE_SIZE = 50;

export function auditRoutes(shop: Shop): Router {
  const router = Router();
  /** Newest first; filters by subject (type and/or id) and by who acted. Unknown filter values match nothing rather than erroring. */
  router.get('/admin/audit', async (req, res) => {
    const ctx = ctxOf(res);
    const actor = ActorSchema.shape.type.safeParse(queryText(req, 'actor', 20));
    const filter: AuditFilter = {
      subjectType: queryText(req, 'subjectType', 50),
      subjectId: queryText(req, 'subjectId', 128),
      actor: actor.success ? actor.data : '',
    };
    const cursor = cursorOf(req);
    const page = await shop.storage.audit.list(
      {
        ...(filter.subjectType !== '' ? { subjectType: filter.subjectType } : {}),
        ...(filter.subjectId !== '' ? { subjectId: filter.subjectId } : {}),
        ...(actor.success ? { actor: actor.data } : {}),
      },
      { limit: PAGE_SIZE, cursor },
    );
    const names = await actorNames(shop, page.items);
    const body = auditBody(ctx, shop.config.timeZone, { events: page.items, names }, filter, page.nextCursor, cursor === null);
    res.send(adminPage(ctx, { title: ctx.t('adminOps.audit.title'), body }).value);
  });
  return router;
}
