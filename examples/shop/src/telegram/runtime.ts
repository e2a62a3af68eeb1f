import type { Shop } from '../app/shop.js';
import type { ShopBot } from './bot.js';
import { adoptPendingBroadcasts } from './broadcast-jobs.js';
import { syncBotCommands } from './commands.js';
import { menuButtonFor, syncMenuButton } from './menu-button.js';
import { miniAppUrl } from '../config/public-addresses.js';

/** The running bot: polling or webhook, and the loop that sends broadcasts and the daily summary. */
export interface RunningBot {
  /** `polling` or `webhook` (Telegram posts to the shop's `/telegram/webhook`). */
  readonly mode: 'polling' | 'webhook';
  readonly username: string;
  stop(): Promise<void>;
}

export interface RunBotOptions {
  /** How often broadcasts and the daily summary are looked at. Default 5 s. */
  loopEveryMs?: number;
  /** How long to keep trying to reach Telegram at start (grammY retries network errors without end). Default 30 s. */
  initTimeoutMs?: number;
}

/** The updates the bot asks Telegram for: messages (a Stars payment among them), buttons, and Stars pre-checkout queries. */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'pre_checkout_query'] as const;

/**
 * Starts the bot: with a webhook URL it registers the webhook (with its secret) and waits for
 * Telegram's posts; otherwise it long-polls (one process per bot token may poll). First it gives Telegram the
 * bot's command lists and its menu button when they changed (`commands.ts`, `menu-button.ts`). Either way a loop sends pending broadcasts and, once a
 * day, the admins' summary.
 */
export async function runBot(shop: Shop, shopBot: ShopBot, options: RunBotOptions = {}): Promise<RunningBot> {
  const { bot } = shopBot;
  const { config } = shopBot;
  const log = shop.logger.child({ component: 'telegram' });
  try {
    // grammY types its signal with the abort-controller polyfill's class; Node's AbortSignal is the same thing at run time.
    await bot.init(AbortSignal.timeout(options.initTimeoutMs ?? 30_000) as Parameters<typeof bot.init>[0]);
  } catch (error) {
    throw new Error(
      `Telegram did not answer getMe at ${config.apiRoot ?? 'api.telegram.org'}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // The command lists Telegram offers on "/" (the staff's only in their chats): given once per change, across replicas.
  await syncBotCommands(shop, bot.api, config.adminIds, shop.clock.now(), log).catch((error: unknown) =>
    log.error({ err: error }, 'giving Telegram the bot’s commands failed; tried again at the next start'),
  );
  // The menu button opens the shop as a Mini App (with an https address), given once per change, across replicas.
  await syncMenuButton(shop, bot.api, menuButtonFor(shop.config.shopName, miniAppUrl(shop.config)), shop.clock.now()).catch(
    (error: unknown) => log.error({ err: error }, 'giving Telegram the bot’s menu button failed; tried again at the next start'),
  );
  let polling: Promise<void> | null = null;
  if (config.webhook !== null) {
    await bot.api.setWebhook(config.webhook.url, { secret_token: shopBot.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] });
  } else {
    polling = bot
      .start({ allowed_updates: [...ALLOWED_UPDATES] })
      .catch((error: unknown) => log.error({ err: error }, 'Telegram polling stopped'));
  }
  // Broadcasts a shop from before host jobs left pending: their copies become jobs (once).
  await adoptPendingBroadcasts(shop, shopBot.broadcasts);
  let running: Promise<void> = Promise.resolve();
  const loop = async () => {
    try {
      await shopBot.queueDailySummary();
      await shopBot.sendBroadcasts();
      await shopBot.pruneUpdates();
    } catch (error) {
      log.error({ err: error }, 'the Telegram loop failed');
    }
  };
  const timer = setInterval(() => (running = running.then(loop)), options.loopEveryMs ?? 5_000);
  return {
    mode: polling === null ? 'webhook' : 'polling',
    username: bot.botInfo.username,
    async stop() {
      clearInterval(timer);
      if (polling !== null) {
        await bot.stop();
        await polling;
      }
      await running;
    },
  };
}
