import { createHmac } from 'node:crypto';
import { autoRetry } from '@grammyjs/auto-retry';
import { type Bot, InlineKeyboard } from 'grammy';
import type { Update } from 'grammy/types';
import type { HostJobDefinition } from '@panelkit/sdk';
import { Router, type RequestHandler } from 'express';
import type { TelegramConfig } from '../config/config.js';
import { ShopError } from '../app/shop-error.js';
import { isLocale, translator } from '../i18n/translate.js';
import type { NotificationChannel } from '../app/notifications/channel.js';
import type { Shop } from '../app/shop.js';
import { broadcastHandlers } from './admin/broadcast.js';
import { answerRejectReason, receiptHandlers } from './admin/receipts.js';
import { answerFind, customerHandlers } from './admin/customers.js';
import { adminSubscriptionHandlers, answerSuspendReason } from './admin/subscriptions.js';
import { promptHandlers } from './admin/prompts.js';
import { answerLinkBanner, answerLinkSupport, linkNoticeHandlers } from './admin/link-notice.js';
import { TelegramPromptStore } from '../db/telegram-prompts.js';
import { summaryHandlers } from './admin/summary.js';
import { adminTicketHandlers, answerTicketCloseReason, answerTicketPrompt } from './admin/tickets.js';
import { answerBuyerPrompt, supportHandlers } from './buyer/support.js';
import { createBroadcastJobs, type BroadcastJobs } from './broadcast-jobs.js';
import { dailySummaryJob, queueDailySummary } from './admin/daily.js';
import { evacuationHandlers } from './admin/evacuation.js';
import { catalogHandlers } from './buyer/catalog.js';
import { giftHandlers } from './buyer/gifts.js';
import { discountCodeHandlers } from './buyer/discount-code.js';
import { startHandlers } from './buyer/start.js';
import { requiredChannelGate } from './required-channel.js';
import { subscriptionHandlers } from './buyer/subscriptions.js';
import { appButtonHandlers } from './buyer/app-buttons.js';
import { deviceHandlers } from './buyer/devices.js';
import { devicePackHandlers } from './buyer/device-packs.js';
import { adminDeviceHandlers, answerDeviceResetReason } from './admin/devices.js';
import { trafficHandlers } from './buyer/traffic.js';
import { planChangeHandlers } from './buyer/plan-change.js';
import { accountHandlers } from './buyer/account.js';
import { savedMethodHandlers } from './buyer/saved-methods.js';
import { walletHandlers } from './buyer/wallet.js';
import { cryptoTopUpHandlers } from './buyer/crypto-top-up.js';
import { starsPreCheckoutHandler, starsTopUpHandlers } from './buyer/stars-top-up.js';
import { gatewayTopUpHandlers } from './buyer/gateway-top-up.js';
import { builderHandlers } from './buyer/builder.js';
import { locationHandlers } from './buyer/location.js';
import { familyHandlers } from './buyer/family.js';
import { answerLabelPrompt, subscriptionNameHandlers } from './buyer/subscription-name.js';
import { rotateOwnLinkHandlers } from './buyer/own-link-rotate.js';
import { answerPhoneText, phoneTrialHandlers } from './buyer/phone-trial.js';
import { customerOfTelegramUser, localeOfTelegramUser, newTelegramSender } from '../app/auth/telegram-buyers.js';
import { createTelegramChannel } from './channel.js';
import type { BotContext, BotDeps } from './context.js';
import { TelegramLinkStore } from '../db/telegram-links.js';
import { telegramApi, telegramClientOptions } from '../app/telegram-api.js';
import { mainMenu } from './menu.js';
import { miniAppUrl } from '../config/public-addresses.js';
import { ReceiptPhotoStore } from '../db/telegram-receipt-photos.js';
import { TelegramUpdateLog } from '../db/telegram-updates.js';
import { webhookRouter } from './webhook.js';
import { canAnswerInWebhookReply } from './webhook-reply.js';
import { handledOnce } from './update-once.js';
import { callbackAnswersAreCourtesy } from './callback-answers.js';
import { registerLogSecrets } from '../logging/logger.js';
import { FilteringBot } from './filtering-bot.js';

/** The path Telegram posts updates to in webhook mode. */
export const WEBHOOK_PATH = '/telegram/webhook';

/** The shop's Telegram bot: its grammY `Bot`, its tables, and what the host wires (webhook route, notification channel). */
export interface ShopBot {
  readonly bot: Bot<BotContext>;
  /** The settings it was built with. */
  readonly config: TelegramConfig;
  readonly links: TelegramLinkStore;
  /** Broadcasts: queued as host jobs on the SDK's worker (`broadcast-jobs.ts`). */
  readonly broadcasts: BroadcastJobs;
  /** The secret Telegram must send in `X-Telegram-Bot-Api-Secret-Token` to the webhook. */
  readonly webhookSecret: string;
  /** `POST /telegram/webhook` in webhook mode (mounted before the shop's body parsers and CSRF check); 401 on a wrong secret. */
  webhookRoutes(before?: readonly RequestHandler[]): Router;
  /** The notification channel that reaches buyers and admins through this bot. */
  channel(): NotificationChannel;
  /** A one-time `https://t.me/<bot>?start=<token>` link that ties a Telegram user to this customer. */
  deepLink(customerId: string): Promise<string>;
  /** The buyer's referral link into the bot (`/start ref_<customer id>`). */
  referralLink(customerId: string): Promise<string>;
  /** The bot's username (asked of Telegram once), for links into it such as a campaign's. */
  username(): Promise<string>;
  /**
   * Runs the bot's host jobs due now (broadcast copies, the admins' daily summaries; any worker given
   * `hostJobs` runs them too) until none is left; returns how many broadcast copies this call sent.
   */
  sendBroadcasts(): Promise<number>;
  /** The bot's host job types (broadcasts, the daily summary), for a worker (`kit.createWorker({ hostJobs })`). */
  readonly hostJobs: readonly HostJobDefinition[];
  /** Queues the summary of the day that ended for every admin, once per day across replicas; true when this call did. */
  queueDailySummary(): Promise<boolean>;
  /** Forgets handled update ids older than a week (Telegram redelivers for 24 hours at most). */
  pruneUpdates(): Promise<void>;
}

/**
 * Whether the bot resolves this update's sender to a shop customer (making one at first contact): a user's update in
 * a private chat, not a bot's, and not a block or unblock of the bot (no contact).
 */
function resolvesSender(ctx: BotContext): ctx is BotContext & { chat: { type: 'private'; id: number }; from: { id: number } } {
  return ctx.chat?.type === 'private' && ctx.from !== undefined && !ctx.from.is_bot && ctx.myChatMember === undefined;
}

/** The webhook secret: the configured one, else one derived from the shop's secret (stable across restarts and replicas). */
export function webhookSecretFor(config: TelegramConfig, shopSecret: string): string {
  return config.webhook?.secret ?? createHmac('sha256', shopSecret).update('telegram-webhook').digest('base64url');
}

/**
 * Builds the bot on the shop's services: every update is handled once (its id is claimed in
 * `telegram_updates`, see `update-once.ts`), by a private-chat user resolved to a shop customer; money actions carry
 * idempotency keys derived from the message they come from; 429s are waited out (auto-retry).
 */
export function createShopBot(shop: Shop, config: TelegramConfig): ShopBot {
  const log = shop.logger.child({ component: 'telegram' });
  const webhookSecret = webhookSecretFor(config, shop.secret);
  registerLogSecrets(log, config.token, webhookSecret);
  // A button's answer rides on the webhook's reply when the update is handled within the request (`webhook-reply.ts`).
  const bot = new FilteringBot<BotContext>(config.token, {
    client: { ...telegramClientOptions(config), canUseWebhookReply: canAnswerInWebhookReply },
  });
  // The same retry policy as `telegramApi`: 429s are waited out for up to a minute. A network
  // error is not retried blindly: the message may have arrived (see the at-most-once sends).
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowHttpErrors: true }));
  bot.api.config.use(callbackAnswersAreCourtesy(log));
  const links = new TelegramLinkStore(shop.db, shop.shopSchema, shop.clock);
  const updates = new TelegramUpdateLog(shop.db, shop.shopSchema, shop.clock, shop.config.schema);
  // Jobs send with a client that waits for nothing: their 429s and 5xx are the job's retries (`send-policy.ts`).
  const jobApi = telegramApi(config);
  const broadcasts = createBroadcastJobs(shop, jobApi);
  const dailySummary = dailySummaryJob(shop, jobApi, links);
  const hostJobs = [...broadcasts.definitions, dailySummary];
  // Only the bot's jobs: the bot sends its own messages; the shop's worker runs the rest.
  const broadcastWorker = shop.kit.createWorker({ hostJobs, engineJobs: false });
  const deps: BotDeps = {
    shop,
    config,
    links,
    photos: new ReceiptPhotoStore(shop.db, shop.shopSchema, shop.clock),
    prompts: new TelegramPromptStore(shop.db, shop.shopSchema, shop.clock),
  };
  const admins = new Set(config.adminIds);
  let sending: Promise<number> | null = null;
  const sendBroadcasts = (): Promise<number> => {
    // One run per process at a time; replicas are kept apart by the jobs' leases and serial key.
    sending ??= (async () => {
      const before = broadcasts.sent();
      await broadcastWorker.drain();
      return broadcasts.sent() - before;
    })().finally(() => (sending = null));
    return sending;
  };

  // Also clears the update's chat's unreachable mark: a chat that writes (or unblocks the bot) may be sent to again.
  // For an update that resolves its sender's customer, a sender with no link has their customer by reference read
  // and a new account's slot taken in the claim's statement too; for a `/start` (a first contact, nearly always),
  // their customer made and linked there as well.
  bot.use(
    handledOnce(updates, log, { webhook: config.webhook !== null }, (ctx) =>
      resolvesSender(ctx) ? newTelegramSender(shop, ctx.from, ctx.hasCommand('start')) : null,
    ),
  );
  // A user blocking or unblocking the bot is no contact: no customer is made for it.
  bot.use((ctx, next) => (ctx.myChatMember === undefined ? next() : undefined));
  // Telegram's pre-checkout query of a Stars invoice has no chat: answered before a chat's customer is resolved.
  starsPreCheckoutHandler(bot, deps);
  bot.use(async (ctx, next) => {
    if (!resolvesSender(ctx)) return;
    let known: Awaited<ReturnType<typeof customerOfTelegramUser>>;
    try {
      const read =
        ctx.senderLink === undefined ? undefined : { link: ctx.senderLink, customer: ctx.senderCustomer, newSender: ctx.senderNew };
      known = await customerOfTelegramUser(shop, links, ctx.from, String(ctx.chat.id), read);
    } catch (error) {
      // A new user while new accounts are slowed: told so in their Telegram's language, and nothing is made.
      if (!(error instanceof ShopError)) throw error;
      if (ctx.callbackQuery !== undefined) await ctx.answerCallbackQuery().catch(() => undefined);
      await ctx.reply(translator(localeOfTelegramUser(ctx.from))(error.messageKey, error.params));
      return;
    }
    const { link, customer, priceBook, balances } = known;
    // Kept current so an admin can find the user by `@username` (written only when it changed).
    const username = ctx.from.username ?? null;
    if ((link.username ?? null) !== username) await links.setUsername(link.telegramUserId, username);
    const locale = isLocale(customer.locale) ? customer.locale : 'en';
    ctx.user = {
      telegramUserId: String(ctx.from.id),
      chatId: String(ctx.chat.id),
      customer,
      priceBook,
      ...(balances === undefined ? {} : { balances }),
      locale,
      t: translator(locale),
      isAdmin: admins.has(String(ctx.from.id)),
    };
    try {
      await next();
    } catch (error) {
      // The shop's typed refusals (a 404, a 409) are the buyer's to read, not the log's.
      if (!(error instanceof ShopError)) throw error;
      if (ctx.callbackQuery !== undefined) await ctx.answerCallbackQuery().catch(() => undefined);
      await ctx.reply(ctx.user.t(error.messageKey, error.params));
    }
  });

  // Bot users outside the owner's required channel are asked to join before anything else.
  requiredChannelGate(bot, deps);
  // An admin's typed answer to the bot's open question comes first, so it is read as nothing else.
  promptHandlers(bot, deps, {
    reject_reason: answerRejectReason(deps),
    suspend_reason: answerSuspendReason(deps),
    find_customer: answerFind(deps),
    device_reset_reason: answerDeviceResetReason(deps),
    link_banner: answerLinkBanner(deps),
    link_support: answerLinkSupport(deps),
    ticket_answer: answerTicketPrompt(deps),
    ticket_close_reason: answerTicketCloseReason(deps),
    // An admin is a buyer too: their own ticket's message, typed after "New ticket" or "Reply".
    ticket_open: (ctx) => answerBuyerPrompt(deps)(ctx, null, ctx.message),
    ticket_reply: (ctx, ticketId) => answerBuyerPrompt(deps)(ctx, ticketId, ctx.message),
    sub_label: answerLabelPrompt(deps),
    trial_phone: (ctx, planId) => answerPhoneText(deps)(ctx, planId),
  });
  // A buyer's message the bot asked for (a ticket's text or picture) comes before the receipts' picture handler.
  supportHandlers(bot, deps);
  // The buyer's typed name or shared contact the bot asked for, before any handler reads text as something else.
  subscriptionNameHandlers(bot, deps);
  rotateOwnLinkHandlers(bot, deps);
  phoneTrialHandlers(bot, deps);
  startHandlers(bot, deps);
  summaryHandlers(bot, deps);
  evacuationHandlers(bot, deps);
  broadcastHandlers(
    bot,
    broadcasts,
    config.adminIds,
    () => void sendBroadcasts().catch((error: unknown) => log.error({ err: error }, 'broadcast sending failed')),
  );
  receiptHandlers(bot, deps);
  adminTicketHandlers(bot, deps);
  customerHandlers(bot, deps);
  adminDeviceHandlers(bot, deps);
  linkNoticeHandlers(bot, deps);
  adminSubscriptionHandlers(bot, deps);
  catalogHandlers(bot, deps);
  discountCodeHandlers(bot, deps);
  giftHandlers(bot, deps);
  subscriptionHandlers(bot, deps);
  appButtonHandlers(bot, deps);
  deviceHandlers(bot, deps);
  devicePackHandlers(bot, deps);
  trafficHandlers(bot, deps);
  planChangeHandlers(bot, deps);
  accountHandlers(bot, deps);
  walletHandlers(bot, deps);
  savedMethodHandlers(bot, deps);
  cryptoTopUpHandlers(bot, deps);
  starsTopUpHandlers(bot, deps);
  gatewayTopUpHandlers(bot, deps);
  builderHandlers(bot, deps);
  locationHandlers(bot, deps);
  familyHandlers(bot, deps);
  // Buttons from old messages or forged data: answered, nothing done.
  bot.on('callback_query', (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
  bot.on('message', (ctx) => ctx.reply(ctx.user.t('telegram.menu.hint'), { reply_markup: mainMenu(ctx.user, miniAppUrl(shop.config)) }));

  bot.catch(async ({ error, ctx }) => {
    log.error({ err: error, updateId: ctx.update.update_id }, 'handling a Telegram update failed');
    const t = (ctx as Partial<BotContext>).user?.t;
    if (t === undefined || ctx.chat === undefined) return;
    const reply_markup = new InlineKeyboard().text(t('telegram.menu.back'), 'm');
    await ctx.reply(t('telegram.error'), { reply_markup }).catch(() => undefined);
  });

  return {
    bot,
    config,
    links,
    broadcasts,
    webhookSecret,
    webhookRoutes(before) {
      // Polling and a webhook exclude each other (Telegram refuses getUpdates while a webhook is set).
      if (config.webhook === null) return Router();
      return webhookRouter(bot, WEBHOOK_PATH, webhookSecret, log, {
        maxUpdates: config.webhook.maxUpdates,
        ...(before === undefined ? {} : { before }),
      });
    },
    channel: () => createTelegramChannel({ shop, config, api: jobApi }),
    async deepLink(customerId) {
      if (!bot.isInited()) await bot.init();
      return `https://t.me/${bot.botInfo.username}?start=${await links.createToken(customerId)}`;
    },
    async referralLink(customerId) {
      if (!bot.isInited()) await bot.init();
      return `https://t.me/${bot.botInfo.username}?start=ref_${customerId}`;
    },
    async username() {
      if (!bot.isInited()) await bot.init();
      return bot.botInfo.username;
    },
    sendBroadcasts,
    hostJobs,
    queueDailySummary: () => queueDailySummary(shop, dailySummary, config.adminIds),
    pruneUpdates: () => updates.prune(),
  };
}

/** Hands one update to the bot as Telegram would (tests, and hosts with their own transport). */
export async function handleUpdate(shopBot: ShopBot, update: Update): Promise<void> {
  if (!shopBot.bot.isInited()) await shopBot.bot.init();
  await shopBot.bot.handleUpdate(update);
}
