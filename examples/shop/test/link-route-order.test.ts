/**
 * Where the buyer's link (`/s/…`) sits among the shop's routers: first of the areas, which is the same as anywhere
 * else only while no other router answers or guards a path under `/s/`. Read off Express's router.
 */
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOMY_RATE_LIMITS, startShop, type ShopUnderTest } from './support/shop-under-test.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  match(path: string): boolean;
}

let t: ShopUnderTest;
beforeAll(async () => {
  t = await startShop({ app: { rateLimits: ROOMY_RATE_LIMITS } });
});
afterAll(() => t.close());

const LINK_PATHS = ['/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/open/happ'];

/** The app's routers (each area's, and those mounted before the areas), in the order a request walks them. */
function routersOf(app: Express): Layer[][] {
  const top = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  return top.flatMap((layer) => (layer.handle?.stack === undefined ? [] : [layer.handle.stack]));
}

/** The layers of `router` that would take a request for `path` (a nested router's only through its own layers). */
function catching(router: Layer[], path: string): Layer[] {
  return router.flatMap((layer) => {
    if (!layer.match(path)) return [];
    return layer.route === undefined && layer.handle?.stack !== undefined ? catching(layer.handle.stack, path) : [layer];
  });
}

/** Whether a router serves a route under `/s/`. */
const servesLink = (router: Layer[]) => router.some((layer) => layer.route?.path.startsWith('/s/') === true);

/** Whether a router holds a `GET` route at `path`. */
const serves = (router: Layer[], path: string) => router.some((layer) => layer.route?.path === path && layer.route.methods['get'] === true);

describe('the link’s routes among the shop’s routers', () => {
  it('no router but the link’s answers or guards a path under /s/', () => {
    for (const router of routersOf(t.app).filter((r) => !servesLink(r))) {
      for (const path of LINK_PATHS) expect(catching(router, path)).toEqual([]);
    }
    // Within the link's own routers, only `/s/` routes match a link's path.
    for (const router of routersOf(t.app).filter(servesLink)) {
      for (const path of LINK_PATHS) for (const layer of catching(router, path)) expect(layer.route?.path.startsWith('/s/')).toBe(true);
    }
  });

  it('comes before every other area’s routes', () => {
    const routers = routersOf(t.app);
    const link = routers.findIndex(servesLink);
    expect(link).toBeGreaterThanOrEqual(0);
    for (const path of ['/signin', '/dashboard', '/subscriptions/:id', '/checkout/:planId'])
      expect(routers.findIndex((r) => serves(r, path))).toBeGreaterThan(link);
  });
});
