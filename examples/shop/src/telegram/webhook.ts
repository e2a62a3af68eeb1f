import { timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { BotError, GrammyError, webhookCallback, type Bot } from 'grammy';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isDatabaseAway } from '../db/database-away.js';
import { ShopError } from '../app/shop-error.js';
import { containsNul } from '../app/input/nul-text.js';
import type { BotContext } from './context.js';

/**
 * What an update must look like before the bot (and the database) sees it: an object with a safe integer
 * `update_id`, at least one payload object beside it, and no NUL in any text. Anything else is a 400 that
 * touches nothing.
 */
const UpdateEnvelopeSchema = z
  .object({ update_id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) })
  .passthrough()
  .refine((update) => Object.entries(update).some(([key, value]) => key !== 'update_id' && typeof value === 'object' && value !== null));

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A Bot API refusal that no redelivery changes: the user blocked the bot, deleted the account, or the chat is gone. */
export function isUnreachableUser(error: unknown): boolean {
  const inner = error instanceof BotError ? error.error : error;
  return inner instanceof GrammyError && (inner.error_code === 403 || /chat not found/i.test(inner.description));
}

/**
 * `POST <path>`: the secret header checked first (401), the body checked second (400, nothing stored), then
 * the update handed to grammY. A failed update answers 500 so Telegram delivers it again, and is logged as its
 * error alone: grammY's `BotError` carries the whole context, bot token included.
 */
export function webhookRouter(bot: Bot<BotContext>, path: string, secret: string, log: Logger): Router {
  const router = Router();
  const handle = webhookCallback(bot, 'express', { secretToken: secret });
  router.post(
    path,
    (req: Request, _res: Response, next: NextFunction) => {
      next(
        sameSecret(req.get('x-telegram-bot-api-secret-token'), secret)
          ? undefined
          : new ShopError('sign_in_required', 'errors.unauthorized'),
      );
    },
    express.json({ limit: '1mb' }),
    (req: Request, _res: Response, next: NextFunction) => {
      const readable = UpdateEnvelopeSchema.safeParse(req.body).success && !containsNul(req.body);
      next(readable ? undefined : new ShopError('invalid_input', 'errors.malformedBody'));
    },
    handle,
    (error: unknown, _req: Request, _res: Response, next: NextFunction) => {
      if (!(error instanceof BotError)) return next(error);
      // The database away: a 503 (Telegram delivers the update again later), logged by the error handler.
      if (isDatabaseAway(error.error)) return next(error.error);
      log.error({ err: error.error, updateId: error.ctx.update.update_id }, 'handling a Telegram update failed');
      next(new ShopError('internal', 'errors.internal'));
    },
  );
  return router;
}
