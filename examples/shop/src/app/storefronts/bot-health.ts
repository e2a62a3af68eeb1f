/** How a storefront's own Telegram bot is doing, as the reseller's back office shows it. */
export interface StorefrontBotHealth {
  /** `none`: no bot connected; `working`: connected and answering; `failing`: connected, Telegram refuses it. */
  state: 'none' | 'working' | 'failing';
  /** The bot's @username, when one is connected. */
  username: string | null;
  /** What is wrong when `failing` (Telegram's words). */
  problem: string | null;
  /** When its webhook last received an update from Telegram; `null`: none on record (or no bot). */
  lastUpdateAt: Date | null;
}

/**
 * Where the back office reads a storefront's bot health from: the multi-bot runtime's table of connected bots
 * (`storefront_bots`), wired by the composition root. Absent (`null`) while that runtime is not part of the build:
 * the back office then says no bot is known.
 */
export type BotHealthSource = (storefrontId: string) => Promise<StorefrontBotHealth>;

/** The health a back office shows without a bot runtime: no bot known. */
export const NO_BOT: StorefrontBotHealth = { state: 'none', username: null, problem: null, lastUpdateAt: null };
