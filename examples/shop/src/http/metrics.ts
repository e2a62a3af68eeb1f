import { SUBSCRIPTION_STATUSES } from '@panelkit/sdk';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Shop } from '../app/shop.js';

/** Prometheus metrics: process defaults, HTTP timings by route, engine events, subscriptions by status and the clock's offset (read at scrape time). */
/**
 * How often the event-loop delay histogram (`nodejs_eventloop_lag_p99_seconds` and kin) samples, in ms. prom-client's
 * default, 10, is a timer waking the process 100 times a second: 6–7 ms of CPU a second on an idle replica of this
 * machine kind (bench/rush's idle background 11–16 → 6–8 ms a second at 100). At 100 a stall of 100 ms or more is
 * still recorded at its full length; shorter ones in proportion to their length.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

export function createMetrics(shop: Shop) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const requests = new Histogram({
    name: 'shop_http_request_duration_seconds',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const events = new Counter({
    name: 'shop_engine_events_total',
    help: 'Engine events by name',
    labelNames: ['event'],
    registers: [registry],
  });
  for (const name of [
    'order:placed',
    'order:completed',
    'order:failed',
    'subscription:provisioned',
    'subscription:failed',
    'subscription:extended',
    'subscription:limited',
    'subscription:expired',
    'job:dead',
    'panel:unhealthy',
    'usage:client_unreadable',
    'scheduler:clock_skewed',
  ] as const) {
    shop.kit.events.on(name as never, (() => events.inc({ event: name })) as never);
  }
  new Gauge({
    name: 'shop_subscriptions',
    help: 'Subscriptions by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await shop.storage.subscriptions.countByStatus();
      for (const status of SUBSCRIPTION_STATUSES) this.set({ status }, counts[status] ?? 0);
    },
  });
  new Gauge({
    name: 'shop_clock_offset_seconds',
    help: "This process's clock minus the database's (its scheduler refuses ticks past the engine's maxClockOffsetMs)",
    registers: [registry],
    async collect() {
      this.set((await shop.kit.clockOffset()).offsetMs / 1000);
    },
  });

  return {
    registry,
    /** Times every request under its route pattern (not its URL, which holds ids). */
    middleware(req: Request, res: Response, next: NextFunction) {
      const end = requests.startTimer();
      res.on('finish', () => {
        const route = (req.route as { path?: string } | undefined)?.path;
        end({ method: req.method, route: route === undefined ? 'unmatched' : `${req.baseUrl}${route}`, status: String(res.statusCode) });
      });
      next();
    },
  };
}
