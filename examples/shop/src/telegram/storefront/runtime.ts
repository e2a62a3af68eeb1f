import { autoRetry } from '@grammyjs/auto-retry';
import type { Bot, Composer } from 'grammy';
import type { Update } from 'grammy/types';
import type { Request, RequestHandler, Router } from 'express';
import type { Shop } from '../../app/shop.js';
import { ShopError } from '../../app/shop-error.js';
import { isLocale, translator } from '../../i18n/translate.js';
import { telegramClientOptions } from '../../app/telegram-api.js';
import type { StorefrontSales } from '../../app/storefront-bots/storefront-sales.js';
import { storefrontBots } from '../../app/storefront-bots/connect-bot.js';
import { storefrontBrands } from '../../app/storefront-bots/brand.js';
import { StorefrontTelegramLinkStore } from '../../db/storefront-telegram-links.js';
import { StorefrontUpdateLog } from '../../db/storefront-telegram-updates.js';
import { TelegramLinkStore } from '../../db/telegram-links.js';
import { TelegramUnreachableChats } from '../../db/telegram-unreachable.js';
import { ReceiptPhotoStore } from '../../db/telegram-receipt-photos.js';
import { TelegramPromptStore } from '../../db/telegram-prompts.js';
import type { StorefrontBot } from '../../db/storefront-bots.js';
import { registerLogSecrets } from '../../logging/logger.js';
import { webhookRouterFor, type WebhookTarget } from '../webhook.js';
import { callbackAnswersAreCourtesy } from '../callback-answers.js';
import { startHandlers } from '../buyer/start.js';
import { catalogHandlers } from '../buyer/catalog.js';
import { subscriptionHandlers } from '../buyer/subscriptions.js';
import { appButtonHandlers } from '../buyer/app-buttons.js';
import { deviceHandlers } from '../buyer/devices.js';
import { devicePackHandlers } from '../buyer/device-packs.js';
import { trafficHandlers } from '../buyer/traffic.js';
import { planChangeHandlers } from '../buyer/plan-change.js';
import { accountHandlers } from '../buyer/account.js';
import { walletHandlers } from '../buyer/wallet.js';
import { savedMethodHandlers } from '../buyer/saved-methods.js';
import { cryptoTopUpHandlers } from '../buyer/crypto-top-up.js';
import { gatewayTopUpHandlers } from '../buyer/gateway-top-up.js';
import type { BotContext } from '../context.js';
import { menuFor } from '../face.js';
import { storefrontBotHealth } from '../../app/storefronts/bot-health-source.js';
import { storefrontHandledOnce } from './handled-once.js';
import { storefrontAddress } from './address.js';
import { resellerCustomer, storefrontBuyer } from './buyer.js';
import { FilteringBot } from '../filtering-bot.js';
import { officeHandlers } from './office.js';
import { ownerOnlyButtons, storefrontSupport, suspendedGate } from './screens.js';
import type { StorefrontContext, StorefrontDeps } from './context.js';
import { pacedPerBot } from './pacing.js';

/** The path pattern of every storefront bot's webhook: the bot's Telegram id names it. */
export const STOREFRONT_WEBHOOK_PATH = '/telegram/:botId/webhook';

/** Every storefront's bot, served by this one process (and every replica alike). */
export interface StorefrontBotRuntime {
  /** `POST /telegram/<bot id>/webhook` for every connected bot: unknown bot 404, wrong secret 401, then as the owner's webhook. */
  webhookRoutes(before?: readonly RequestHandler[]): Router;
  /** Hands one update to a storefront's bot as its webhook would (tests, and hosts with their own transport). */
  handleUpdate(botId: string, update: Update): Promise<void>;
  /** Forgets handled update ids older than a week. */
  pruneUpdates(): Promise<void>;
}

export interface StorefrontBotOptions {
  /** What the bots read of the SDK's storefronts. */
  sales: StorefrontSales;
  /** Updates one replica handles at once, over every bot (TELEGRAM_WEBHOOK_MAX_UPDATES). Default 64. */
  maxUpdates?: number;
}

/**
 * Builds the storefronts' bots on the shop's services. A bot is made the first time an update for it comes (one
 * grammY `Bot` per token, kept while its token stays the same), from the `storefront_bots` row read on each
 * request, so a bot connected, reconnected or removed on one replica is served as such by every other at once.
 * Each bot's replies are paced on its own (Telegram's limits are per bot) and its 429s waited out; each update is
 * handled once per bot across every replica.
 */
export function createStorefrontBots(shop: Shop, options: StorefrontBotOptions): StorefrontBotRuntime {
  const log = shop.logger.child({ component: 'storefront-bots' });
  const store = storefrontBots(shop);
  const brands = storefrontBrands(shop);
  const updates = new StorefrontUpdateLog(shop.db, shop.shopSchema, shop.clock);
  const buyers = new StorefrontTelegramLinkStore(shop.db, shop.shopSchema, shop.clock);
  const unreachable = new TelegramUnreachableChats(shop.db, shop.shopSchema, shop.clock);
  const built = new Map<string, { token: string; bot: Bot<StorefrontContext> }>();
  const botHealth = storefrontBotHealth(shop);

  const build = (row: StorefrontBot): Bot<StorefrontContext> => {
    const config = {
      token: row.token,
      adminIds: [],
      apiRoot: shop.config.telegram?.apiRoot ?? null,
      webhook: null,
      support: null,
      miniApp: null,
    };
    registerLogSecrets(log, row.token, row.webhookSecret);
    const bot = new FilteringBot<StorefrontContext>(row.token, { client: telegramClientOptions(config) });
    bot.api.config.use(pacedPerBot(row.botId));
    bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60, rethrowHttpErrors: true }));
    bot.api.config.use(callbackAnswersAreCourtesy(log));
    const deps: StorefrontDeps = {
      shop,
      config,
      links: new TelegramLinkStore(shop.db, shop.shopSchema, shop.clock),
      photos: new ReceiptPhotoStore(shop.db, shop.shopSchema, shop.clock),
      prompts: new TelegramPromptStore(shop.db, shop.shopSchema, shop.clock),
      sales: options.sales,
      buyers,
    };
    const links = deps.links;
    bot.use(storefrontHandledOnce(updates, unreachable, row.botId, log));
    bot.use(async (ctx, next) => {
      if (ctx.chat?.type !== 'private' || ctx.from === undefined || ctx.from.is_bot) return;
      const view = await options.sales.storefront(row.storefrontId);
      // The storefront is gone (its bot row outlived it): nothing is done for anyone.
      if (view === null) return;
      const telegramUserId = String(ctx.from.id);
      // Its reseller is the Telegram user their shop account is linked to (through the owner's bot, as any account).
      const byReseller = (await links.byTelegramUser(telegramUserId))?.customerId === view.resellerId;
      ctx.storefront = { view, botId: row.botId, brand: await brands.get(row.storefrontId), byReseller };
      const customer = byReseller
        ? await resellerCustomer(shop, view)
        : await storefrontBuyer(deps, row.storefrontId, ctx.from, String(ctx.chat.id));
      const locale = isLocale(customer.locale) ? customer.locale : 'en';
      ctx.user = {
        telegramUserId,
        chatId: storefrontAddress(row.botId, String(ctx.chat.id)),
        customer,
        locale,
        t: translator(locale),
        isAdmin: false,
      };
      try {
        await next();
      } catch (error) {
        if (!(error instanceof ShopError)) throw error;
        if (ctx.callbackQuery !== undefined) await ctx.answerCallbackQuery().catch(() => undefined);
        await ctx.reply(ctx.user.t(error.messageKey, error.params));
      }
    });
    suspendedGate(bot);
    officeHandlers(bot, shop, botHealth);
    ownerOnlyButtons(bot);
    storefrontSupport(bot);
    // The owner's bot's buyer screens, speaking for the storefront (`face.ts`): one renderer for both bots.
    const buyer = bot as unknown as Composer<BotContext>;
    startHandlers(buyer, deps);
    catalogHandlers(buyer, deps);
    subscriptionHandlers(buyer, deps);
    appButtonHandlers(buyer, deps);
    deviceHandlers(buyer, deps);
    devicePackHandlers(buyer, deps);
    trafficHandlers(buyer, deps);
    planChangeHandlers(buyer, deps);
    accountHandlers(buyer, deps);
    walletHandlers(buyer, deps);
    savedMethodHandlers(buyer, deps);
    cryptoTopUpHandlers(buyer, deps);
    gatewayTopUpHandlers(buyer, deps);
    bot.on('callback_query', (ctx) => ctx.answerCallbackQuery({ text: ctx.user.t('telegram.notYours') }));
    bot.on('message', (ctx) => ctx.reply(ctx.user.t('telegram.menu.hint'), { reply_markup: menuFor(shop, ctx) }));
    bot.catch(({ error, ctx }) => {
      log.error({ err: error, updateId: ctx.update.update_id, botId: row.botId }, 'handling a storefront bot update failed');
    });
    return bot;
  };

  const botOf = (row: StorefrontBot): Bot<StorefrontContext> => {
    const known = built.get(row.botId);
    if (known !== undefined && known.token === row.token) return known.bot;
    const bot = build(row);
    built.set(row.botId, { token: row.token, bot });
    return bot;
  };

  // Handled update ids are forgotten after a week, looked at by this process at most once an hour.
  let prunedAt = Number.NEGATIVE_INFINITY;
  const pruneNowAndThen = () => {
    const now = shop.clock.now().getTime();
    if (now - prunedAt < 3600_000) return;
    prunedAt = now;
    updates.prune().catch((error: unknown) => log.warn({ err: error }, 'forgetting old storefront bot updates failed'));
  };

  const resolve = async (req: Request): Promise<WebhookTarget | null> => {
    pruneNowAndThen();
    const row = await store.byBotId(String(req.params['botId'] ?? ''));
    return row === null ? null : { bot: botOf(row) as unknown as WebhookTarget['bot'], secret: row.webhookSecret };
  };

  return {
    webhookRoutes: (before) =>
      webhookRouterFor(STOREFRONT_WEBHOOK_PATH, resolve, log, {
        maxUpdates: options.maxUpdates ?? shop.config.telegram?.webhook?.maxUpdates ?? 64,
        ...(before === undefined ? {} : { before }),
      }),
    async handleUpdate(botId, update) {
      const row = await store.byBotId(botId);
      if (row === null) throw new Error(`no storefront bot ${botId}`);
      const bot = botOf(row);
      if (!bot.isInited()) await bot.init();
      await bot.handleUpdate(update);
    },
    pruneUpdates: () => updates.prune(),
  };
}
