import { Router } from 'express';
import type { Registry } from 'prom-client';
import { metricsAccess } from '../http/metrics-access.js';
import type { Shop } from '../app/shop.js';
import { pingDatabase } from '../db/database-away.js';

/**
 * `/healthz`: 200 when the database answers (a load balancer's check), with the panels' last
 * known health for humans and this process's clock against the database's: `status: 'degraded'` while it
 * is off by more than the engine allows (its scheduler runs no tick then). Still 200: when the database's
 * own clock is the wrong one every replica says so, and a 503 would take the whole shop down.
 * `/metrics`: Prometheus text, for the scrapers `metricsAccess` lets in.
 */
export function healthRoutes(shop: Shop, registry: Registry): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    try {
      await pingDatabase(shop.db);
    } catch {
      res.status(503).json({ status: 'unavailable', database: 'down' });
      return;
    }
    const panels = await shop.storage.panels.list();
    const clock = await shop.kit.clockOffset();
    res.json({
      status: clock.status === 'off' ? 'degraded' : 'ok',
      database: 'up',
      clock: { status: clock.status, offsetMs: clock.offsetMs, maxOffsetMs: clock.maxOffsetMs },
      panels: panels.map((p) => ({ id: p.id, name: p.name, enabled: p.enabled, health: p.health.status, checkedAt: p.health.checkedAt })),
    });
  });
  router.get('/metrics', metricsAccess(shop.config), async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
