import type { Clock, SecretBox } from '@panelkit/sdk';
import type { SqlClient } from '@panelkit/storage-postgres';

/** The context a storefront bot's sealed token is bound to: a sealed value moved to another row does not open. */
export function storefrontBotTokenContext(storefrontId: string): string {
  return `storefront_bot_token:${storefrontId}`;
}

/** The context a storefront bot's sealed webhook secret is bound to. */
export function storefrontBotSecretContext(storefrontId: string): string {
  return `storefront_bot_secret:${storefrontId}`;
}

/** A storefront's connected bot, its token and webhook secret opened. */
export interface StorefrontBot {
  storefrontId: string;
  /** Telegram's numeric id of the bot (the part of its token before the colon, as `getMe` says). */
  botId: string;
  username: string;
  token: string;
  /** What Telegram must send in `X-Telegram-Bot-Api-Secret-Token` to this bot's webhook. */
  webhookSecret: string;
  connectedAt: Date;
}

interface BotRow {
  storefront_id: string;
  bot_id: string;
  username: string;
  token_sealed: string;
  webhook_secret_sealed: string;
  connected_at: Date;
}

/**
 * The `storefront_bots` table: one bot per storefront (and a bot serves one storefront), its token and webhook
 * secret sealed with the shop's secret box, as every secret the shop must read back.
 */
export class StorefrontBotStore {
  constructor(
    private readonly db: SqlClient,
    private readonly schema: string,
    private readonly clock: Clock,
    private readonly box: SecretBox,
  ) {}

  private open(row: BotRow): StorefrontBot {
    return {
      storefrontId: row.storefront_id,
      botId: String(row.bot_id),
      username: row.username,
      token: this.box.open(row.token_sealed, storefrontBotTokenContext(row.storefront_id)),
      webhookSecret: this.box.open(row.webhook_secret_sealed, storefrontBotSecretContext(row.storefront_id)),
      connectedAt: new Date(row.connected_at),
    };
  }

  /**
   * Connects (or reconnects) a storefront's bot. Returns `'taken'` when the bot serves another storefront already
   * (nothing written). A reconnect of the same bot keeps its webhook secret; another bot gets `webhookSecret`.
   */
  async connect(input: {
    storefrontId: string;
    botId: string;
    username: string;
    token: string;
    webhookSecret: string;
  }): Promise<StorefrontBot | 'taken'> {
    const now = this.clock.now();
    const { rows } = await this.db
      .query<BotRow>(
        `INSERT INTO ${this.schema}.storefront_bots AS b
         (storefront_id, bot_id, username, token_sealed, webhook_secret_sealed, connected_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6)
       ON CONFLICT (storefront_id) DO UPDATE SET bot_id = EXCLUDED.bot_id, username = EXCLUDED.username,
         token_sealed = EXCLUDED.token_sealed, updated_at = EXCLUDED.updated_at,
         webhook_secret_sealed = CASE WHEN b.bot_id = EXCLUDED.bot_id THEN b.webhook_secret_sealed ELSE EXCLUDED.webhook_secret_sealed END,
         connected_at = CASE WHEN b.bot_id = EXCLUDED.bot_id THEN b.connected_at ELSE EXCLUDED.connected_at END
       WHERE NOT EXISTS (SELECT 1 FROM ${this.schema}.storefront_bots o WHERE o.bot_id = EXCLUDED.bot_id AND o.storefront_id <> EXCLUDED.storefront_id)
       RETURNING *`,
        [
          input.storefrontId,
          input.botId,
          input.username,
          this.box.seal(input.token, storefrontBotTokenContext(input.storefrontId)),
          this.box.seal(input.webhookSecret, storefrontBotSecretContext(input.storefrontId)),
          now,
        ],
      )
      .catch((error: unknown) => {
        // Two storefronts connecting one bot at once: the unique bot id refuses the second.
        if ((error as { code?: string }).code === '23505') return { rows: [] as BotRow[] };
        throw error;
      });
    return rows[0] === undefined ? 'taken' : this.open(rows[0]);
  }

  /** The storefront's bot, or `null` when none is connected. */
  async byStorefront(storefrontId: string): Promise<StorefrontBot | null> {
    const { rows } = await this.db.query<BotRow>(`SELECT * FROM ${this.schema}.storefront_bots WHERE storefront_id = $1`, [storefrontId]);
    return rows[0] === undefined ? null : this.open(rows[0]);
  }

  /** The bot with this Telegram id (a webhook's path names it), or `null`. */
  async byBotId(botId: string): Promise<StorefrontBot | null> {
    if (!/^[0-9]{1,20}$/.test(botId)) return null;
    const { rows } = await this.db.query<BotRow>(`SELECT * FROM ${this.schema}.storefront_bots WHERE bot_id = $1`, [botId]);
    return rows[0] === undefined ? null : this.open(rows[0]);
  }

  /** Every connected bot, by storefront id. */
  async list(): Promise<StorefrontBot[]> {
    const { rows } = await this.db.query<BotRow>(`SELECT * FROM ${this.schema}.storefront_bots ORDER BY storefront_id`);
    return rows.map((row) => this.open(row));
  }

  /** Forgets the storefront's bot; true when one was connected. */
  async disconnect(storefrontId: string): Promise<boolean> {
    const { rows } = await this.db.query(`DELETE FROM ${this.schema}.storefront_bots WHERE storefront_id = $1 RETURNING 1`, [storefrontId]);
    return rows.length > 0;
  }
}
