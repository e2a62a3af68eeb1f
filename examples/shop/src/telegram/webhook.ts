import { timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { BotError, type Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import { isDatabaseAway } from '../db/database-away.js';
import { ShopError } from '../app/shop-error.js';
import { containsNul } from '../app/input/nul-text.js';
import { answerQuietly } from '../logging/quiet-answer.js';
import type { BotContext } from './context.js';
import { createUpdateIntake, WEBHOOK_TIMEOUT_MS } from './update-intake.js';
import { UpdateStillRunning } from './update-once.js';
import { webhookJsonBody } from './webhook-body.js';
import { WebhookReply } from './webhook-reply.js';

/**
 * What an update must look like before the bot (and the database) sees it: an object with a safe integer
 * `update_id` of at least 0, at least one payload object beside it, and (checked apart) no NUL in any text. Anything
 * else is a 400 that touches nothing. Checked by hand: a schema's `passthrough` copied every update (issue 93).
 */
export function isUpdateEnvelope(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const fields = body as Record<string, unknown>;
  const id = fields['update_id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return false;
  for (const key in fields) {
    if (key !== 'update_id' && Object.hasOwn(fields, key) && typeof fields[key] === 'object' && fields[key] !== null) return true;
  }
  return false;
}

function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Seconds Telegram is asked to wait before delivering a shed, timed-out or still-running update again. */
const REDELIVER_AFTER_S = 1;

/** 503 with `Retry-After`: Telegram delivers the update again later (it retries any answer but 2xx). */
function deliverAgainLater(res: Response): void {
  // Counted and logged in aggregate by the intake (`update-intake.ts`), not one error line each.
  answerQuietly(res);
  res.status(503).set('Retry-After', String(REDELIVER_AFTER_S)).end();
}

/**
 * 200: the update is handled; the body, when there is one, is the one Bot API call it answered in the reply
 * (`webhook-reply.ts`). Written with Node's own `writeHead`: Express's `send` hashed every reply for an `ETag` and
 * parsed its content type again, for a client that reads neither (issue 93).
 */
function handled(res: Response, reply: string | null): void {
  if (reply === null) return void res.writeHead(200).end();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(reply) }).end(reply);
}

/** How the webhook takes updates in: at most `maxUpdates` at once, each waited for up to `timeoutMs`. */
export interface WebhookOptions {
  maxUpdates: number;
  /** Default {@link WEBHOOK_TIMEOUT_MS}. */
  timeoutMs?: number;
  /**
   * Handlers a webhook request passes first (the app's request log and metrics): the app mounts the webhook ahead
   * of its pages' middleware (security headers, assets, cookies), which an update does not need.
   */
  before?: readonly RequestHandler[];
}

/** What a failed update may be logged as: its error alone (grammY's `BotError` carries the whole context, bot token included). */
function failureLog(error: unknown): { err: unknown; updateId?: number } {
  return error instanceof BotError ? { err: error.error, updateId: error.ctx.update.update_id } : { err: error };
}

/**
 * `POST <path>`: the secret header checked first (401), the body checked second (400, nothing stored), then the
 * update handed to the bot, at most `maxUpdates` at once in this process: one more is answered 503 at once, before
 * anything is stored, and Telegram delivers it again later. An update still running after the timeout is answered
 * 503 too and goes on, its late failure logged, never left to end the process; its redeliveries are answered 503
 * while it runs (`update-once.ts`), then find it handled, or given back if it failed before showing anything. A
 * failed update answers 500 so Telegram delivers it again, and is logged as its error alone. A button's answer made
 * while the update is handled within the wait rides on the 200 (`webhook-reply.ts`: one outgoing request a tap
 * less); when the request is answered otherwise, it goes out through the Bot API.
 */
export function webhookRouter(bot: Bot<BotContext>, path: string, secret: string, log: Logger, options: WebhookOptions): Router {
  return webhookRouterFor(path, () => Promise.resolve({ bot, secret }), log, options);
}

/** The bot a webhook request is for (`null`: no such bot, 404), and the secret its header must carry. */
export type WebhookTarget = { bot: Bot<BotContext>; secret: string };

/**
 * {@link webhookRouter} for several bots on one path pattern (`/telegram/:botId/webhook`): `resolve` names the bot
 * a request is for and its own secret; an unknown bot is a 404 and a wrong secret a 401, both before the body is read.
 * The at-most-`maxUpdates` intake is shared by every bot the router serves.
 */
export function webhookRouterFor(
  path: string,
  resolve: (req: Request) => Promise<WebhookTarget | null>,
  log: Logger,
  options: WebhookOptions,
): Router {
  const router = Router();
  const intake = createUpdateIntake({
    maxAtOnce: options.maxUpdates,
    timeoutMs: options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    log,
    onLateFailure: (error) => {
      if (error instanceof BotError && error.error instanceof UpdateStillRunning) return;
      log.error(failureLog(error), 'a Telegram update failed after its webhook request was answered');
    },
  });
  const handle = async (bot: Bot<BotContext>, update: Update, reply: WebhookReply) => {
    if (!bot.isInited()) await bot.init();
    await bot.handleUpdate(update, reply.envelope);
  };
  router.post(
    path,
    ...(options.before ?? []),
    (req: Request, res: Response, next: NextFunction) => {
      resolve(req).then((target) => {
        if (target === null) return next(new ShopError('not_found', 'errors.notFound'));
        if (!sameSecret(req.get('x-telegram-bot-api-secret-token'), target.secret))
          return next(new ShopError('sign_in_required', 'errors.unauthorized'));
        res.locals['webhookBot'] = target.bot;
        next();
      }, next);
    },
    webhookJsonBody(),
    (req: Request, _res: Response, next: NextFunction) => {
      const readable = isUpdateEnvelope(req.body) && !containsNul(req.body);
      next(readable ? undefined : new ShopError('invalid_input', 'errors.malformedBody'));
    },
    (req: Request, res: Response, next: NextFunction) => {
      const bot = res.locals['webhookBot'] as Bot<BotContext>;
      const reply = new WebhookReply();
      intake
        .run(() => handle(bot, req.body as Update, reply))
        .then(
          (outcome) => {
            if (outcome === 'handled') return handled(res, reply.take());
            reply.sendHeld(bot.api);
            deliverAgainLater(res);
          },
          (error: unknown) => {
            reply.sendHeld(bot.api);
            next(error);
          },
        );
    },
    (error: unknown, _req: Request, res: Response, next: NextFunction) => {
      if (!(error instanceof BotError)) return next(error);
      // Delivered again while some replica still handles it: its outcome decides what a later delivery finds.
      if (error.error instanceof UpdateStillRunning) return deliverAgainLater(res);
      // The database away: a 503 (Telegram delivers the update again later), logged by the error handler.
      if (isDatabaseAway(error.error)) return next(error.error);
      log.error(failureLog(error), 'handling a Telegram update failed');
      next(new ShopError('internal', 'errors.internal'));
    },
  );
  return router;
}
