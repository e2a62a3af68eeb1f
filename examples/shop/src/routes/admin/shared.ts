import type { Actor } from '@panelkit/sdk';
import type { Request, Response } from 'express';
import { viewerOf } from '../../http/context.js';
import { adminPathPattern } from '../../app/input/ids.js';

/** The signed-in admin as the engine's actor (ledger entries and audit events name them). */
export function adminActor(res: Response): Actor {
  return { type: 'admin', id: viewerOf(res).account.id };
}

const BACK_TO = adminPathPattern(['orders', 'subscriptions', 'panels']);

/** `?cursor=` of a keyset-paged list. */
export function cursorOf(req: Request): string | null {
  const cursor = req.query['cursor'];
  return typeof cursor === 'string' && cursor.length > 0 && cursor.length <= 512 ? cursor : null;
}

/** A one-line query-string value, or `''`. */
export function queryText(req: Request, name: string, max: number): string {
  const value = req.query[name];
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}

/** Where a redirect may go back to after an action: an admin page of an order or subscription. */
export function backTo(value: unknown, fallback: string): string {
  return typeof value === 'string' && BACK_TO.test(value) ? value : fallback;
}
