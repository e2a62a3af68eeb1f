import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Who may read `/metrics` (subscription counts, traffic by route: the shop's business, not the public's).
 * With `METRICS_TOKEN` set: a request carrying `Authorization: Bearer <token>`, from anywhere. Without it: a
 * connection to the loopback address that did not come through a proxy (no `X-Forwarded-For`), i.e. a
 * scraper on the same host. Everyone else gets 404, as if there were nothing there.
 */
export function metricsAccess(config: { metricsToken: string | null }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const allowed =
      config.metricsToken !== null
        ? sameSecret(`Bearer ${config.metricsToken}`, req.get('authorization') ?? '')
        : LOOPBACK.has(req.socket.remoteAddress ?? '') && req.get('x-forwarded-for') === undefined && req.get('forwarded') === undefined;
    if (allowed) return next();
    res.status(404).type('text/plain').send('Not found');
  };
}
