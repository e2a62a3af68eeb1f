import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseSecretKeys, type SecretKey } from '@panelkit/sdk';
import { z } from 'zod';
import { LOCALES, type Locale } from '../i18n/locales.js';

/** Where the shop keeps its embedded database and generated secrets when no setting says otherwise. */
export const DEFAULT_DATA_DIR = resolve(import.meta.dirname, '../../.data');

const onOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0'], { message: 'must be on or off' })
  .transform((v) => v === 'on' || v === 'true' || v === '1');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as UTC or Asia/Tehran');

/** The environment the shop reads, as strings; every setting is optional unless noted. */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** The address buyers use, e.g. `https://shop.example.com`; makes cookies Secure when https. A one-address PUBLIC_URLS. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Every address the shop answers on, comma-separated; the first is the one shown (see `public-addresses.ts`). */
  PUBLIC_URLS: z.string().min(1).optional(),
  /** PostgreSQL; without it the shop runs on embedded PGlite in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /**
   * The database password when DATABASE_URL names none (the compose file's way: no command line carries it). The
   * PostgreSQL client reads it from the environment itself; it is read here to be checked and kept out of logs.
   */
  PGPASSWORD: z.string().optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,40}$/, 'must be a plain lower-case identifier')
    .default('panelkit'),
  DATA_DIR: z.string().min(1).optional(),
  /** Derives panel usernames and signs CSRF tokens: at least 32 characters, and it must never change. */
  SHOP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * Keys that seal panel passwords and tokens in the database: `id:base64(32 bytes)[,id:base64…]`, the first
   * seals, all open (see docs/guides/secrets.md). Required with DATABASE_URL; in embedded mode one is
   * generated and kept in the data folder.
   */
  SHOP_SECRET_KEYS: z.string().min(1).optional(),
  SHOP_NAME: z.string().min(1).max(80).default('panelkit shop'),
  /** The prefix of client names on panels, so this shop's clients are recognised (and others' left alone). */
  SHOP_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9]{1,11}$/, 'must be 2–12 lower-case letters or digits')
    .default('shop'),
  SHOP_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
    .default('USD'),
  /** Expiry dates are shown in this zone. */
  SHOP_TIME_ZONE: timeZone.default('UTC'),
  /** The calendar the owner's monthly figures count in: `gregorian` or `jalali`; default Jalali when STAFF_LOCALE is `fa`. */
  SHOP_FIGURES_CALENDAR: z.enum(['gregorian', 'jalali'], { message: 'must be gregorian or jalali' }).optional(),
  /** `on`: start a simulated 3x-ui panel in-process with demo plans. Default on without DATABASE_URL. */
  DEMO_PANEL: onOff.optional(),
  /**
   * `v2ray` (Debian's /usr/bin/v2ray) or the path of a v2ray 4.x binary with `v2ctl` beside it: the demo
   * panels drive that real proxy core, so links bought in the demo carry traffic. Default off.
   */
  DEMO_CORE: z.string().min(1).optional(),
  /** Which panel the demo simulates: `3x-ui` (default) or `pasarguard`. */
  DEMO_PANEL_KIND: z.enum(['3x-ui', 'pasarguard']).default('3x-ui'),
  /** `on` (default): the 3x-ui demo adds a simulated 3x-ui 3.6 with WireGuard and MTProto inbounds and their plans; the PasarGuard demo a WireGuard core. */
  DEMO_WIREGUARD: onOff.default(true),
  /** A JSON file of panels (with real credentials) to add or update at start. */
  PANELS_FILE: z.string().min(1).optional(),
  /** A folder the shop writes a backup of its database to every BACKUP_EVERY_HOURS (one replica per slot). Default off. */
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_EVERY_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(24),
  /** How many backups the folder keeps (the oldest are removed). */
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  /** Creates this admin at start when no account has the address yet. */
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /** `required` (default): admins must enrol a TOTP second factor before using the back office; `optional`: they may. */
  STAFF_TOTP: z.enum(['required', 'optional'], { message: 'must be required or optional' }).default('required'),
  /** Card-to-card top-ups: the card buyers pay to (shown on the wallet page). */
  CARD_NUMBER: z
    .string()
    .regex(/^[0-9 -]{12,30}$/, 'must be a card number')
    .optional(),
  CARD_HOLDER: z.string().min(1).max(100).optional(),
  /** The test payment provider credits the wallet at once. Default on in demo mode only. */
  TEST_PAYMENTS: onOff.optional(),
  /** `off` runs the web server only; run `npm run worker` elsewhere. */
  RUN_WORKER: onOff.default(true),
  TRUST_PROXY: onOff.default(false),
  /**
   * New Telegram users (first contact with the bot or the Mini App) per minute, shop-wide, before the next ones are
   * slowed to one every 2 seconds; 0 turns the limit off. Telegram tells nothing of a user's network.
   */
  TELEGRAM_NEW_ACCOUNTS_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(30),
  /**
   * Support staff's wallet corrections, in minor units of SHOP_CURRENCY: at most this much per credit or debit,
   * and this much in all per UTC day. Default 0: support staff adjust no money until the owner allows some.
   */
  SUPPORT_MONEY_PER_ACTION: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  SUPPORT_MONEY_PER_DAY: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  /**
   * `/metrics` answers a request carrying `Authorization: Bearer <this>`; without it, only a request made to the
   * loopback address with no X-Forwarded-For (a scraper on the same host, not through the proxy).
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(200).optional(),
  /** Shown in every page's footer when set: an https:// or t.me link, an email address, or a Telegram @handle. */
  SUPPORT_CONTACT: z
    .string()
    .regex(/^(https?:\/\/\S+|[^\s@]+@[^\s@]+\.[^\s@]+|@[A-Za-z0-9_]{3,32})$/, 'must be a link, an email address or a Telegram @handle')
    .optional(),
  /** Links to the shop's terms and refund policy, shown in every page's footer when set. */
  TERMS_URL: z.url({ protocol: /^https?$/ }).optional(),
  REFUND_POLICY_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json`: one JSON line per event (for log collectors); `pretty`: readable lines; `auto`: pretty on a terminal. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  // Notifications (src/notifications): email through an SMTP server, and the language of staff alerts.
  /** `smtp://user:pass@host:587` or `smtps://…`: email notifications go out through it; none without it. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/\s]+/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The From of notification emails, e.g. `Shop <shop@example.com>`; required with SMTP_URL. */
  MAIL_FROM: z.string().min(3).max(200).optional(),
  /**
   * For tests only: `yandex=<origin>,vk=<origin>` sends the Yandex ID or VK ID sign-in preset's endpoints (same paths)
   * to a fake server on this machine (`http://127.0.0.1:<port>`) instead of Yandex's or VK's.
   */
  SIGN_IN_PRESET_ROOTS: z
    .string()
    .regex(
      /^\s*(yandex|vk)=http:\/\/(127\.0\.0\.1|localhost):[0-9]{1,5}\s*(,\s*(yandex|vk)=http:\/\/(127\.0\.0\.1|localhost):[0-9]{1,5}\s*)?$/,
      'must be yandex=http://127.0.0.1:<port> and/or vk=http://127.0.0.1:<port> (fake servers for tests)',
    )
    .optional(),
  /** The language of staff alerts. */
  STAFF_LOCALE: z.enum(LOCALES as [Locale, ...Locale[]], { message: `must be one of ${LOCALES.join(', ')}` }).default('en'),
  // The Telegram bot (off without a token).
  /** From BotFather (`123456:ABC…`); without it the bot is off. */
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^[0-9]{3,20}:[A-Za-z0-9_-]{20,100}$/, 'must be a bot token from BotFather, like 123456:ABC-def…')
    .optional(),
  /** Telegram user ids of the shop's admins, comma-separated: they review receipts and get alerts in the bot. */
  TELEGRAM_ADMIN_IDS: z
    .string()
    .regex(/^\s*[0-9]{1,20}(\s*,\s*[0-9]{1,20})*\s*$/, 'must be Telegram user ids separated by commas')
    .optional(),
  /** Another Bot API server (a local one, or a fake in tests); default https://api.telegram.org. */
  TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }).optional(),
  /** `on` (default when PUBLIC_URL is set): Telegram posts updates to PUBLIC_URL/telegram/webhook; `off`: long polling. */
  TELEGRAM_WEBHOOK: onOff.optional(),
  /** The webhook's `X-Telegram-Bot-Api-Secret-Token`; derived from SHOP_SECRET when unset. */
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16–256 letters, digits, _ or -')
    .optional(),
  /**
   * How many Telegram updates one replica handles at once in webhook mode; one more is answered 503 at once (nothing
   * stored) and Telegram delivers it again later, so an overloaded replica sheds load instead of queueing past the
   * webhook's timeout. Default 40 (Telegram's own default number of connections to a webhook).
   */
  TELEGRAM_WEBHOOK_MAX_UPDATES: z.coerce.number().int().min(1).max(1000).default(40),
  /** Where buyers get help (a @username, link or text), shown by the bot's Support button. */
  TELEGRAM_SUPPORT: z.string().min(1).max(200).optional(),
  /**
   * `on` (default): the shop's pages open as a Telegram Mini App (sign-in from Telegram's `initData`), and with an
   * https PUBLIC_URL the bot's menu button and main menu offer it; `off`: neither.
   */
  TELEGRAM_MINI_APP: onOff.default(true),
  /** How long (seconds) a Mini App's launch data may be used to sign in after Telegram signed it; default an hour. */
  TELEGRAM_MINI_APP_MAX_AGE: z.coerce.number().int().min(60).max(86_400).default(3600),
});

/** The names of every environment variable the settings schema reads (deploy/.env.example lists each). */
export const SETTING_NAMES: readonly string[] = Object.keys(EnvSchema.shape);

export interface ShopConfig {
  port: number;
  host: string;
  /** The first of `publicUrls` (the address shown), or `null` when none is configured. */
  publicUrl: string | null;
  /** Every public address the shop answers on (PUBLIC_URLS, or PUBLIC_URL as a list of one), without a trailing slash. */
  publicUrls: string[];
  /** PostgreSQL's `password` is PGPASSWORD (for a URL naming none; `null` when unset), kept for the logger to blank. */
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; password: string | null };
  schema: string;
  dataDir: string;
  /** `null` in embedded mode until the data folder provides one (see `ensureSecret`). */
  secret: string | null;
  /** The keys of the secret box, the sealing one first; `null` in embedded mode until the data folder provides one. */
  secretKeys: SecretKey[] | null;
  shopName: string;
  prefix: string;
  currency: string;
  timeZone: string;
  /**
   * The calendar of the owner's monthly figures (cohorts, churn): months are cut in it on the wall clock of `timeZone`.
   * Changing it (or the zone) makes the SDK rebuild the figures.
   */
  figuresCalendar: 'gregorian' | 'jalali';
  demoPanel: boolean;
  /** The proxy core binary the demo panels drive (`DEMO_CORE`), or null. */
  demoCore: string | null;
  /** The kind of the simulated demo panels (`DEMO_PANEL_KIND`). */
  demoPanelKind: '3x-ui' | 'pasarguard';
  /** Whether the demo sells WireGuard and (on 3x-ui) a Telegram proxy too (`DEMO_WIREGUARD`). */
  demoWireGuard: boolean;
  panelsFile: string | null;
  admin: { email: string; password: string } | null;
  /** Whether admins must have a TOTP second factor before the back office opens. */
  staffTotpRequired: boolean;
  cardToCard: { cardNumber: string; holder: string } | null;
  testPayments: boolean;
  runWorker: boolean;
  trustProxy: boolean;
  /** New Telegram users per minute before they are slowed (`TELEGRAM_NEW_ACCOUNTS_PER_MINUTE`); 0: no limit. */
  telegramNewAccountsPerMinute: number;
  secureCookies: boolean;
  /** What support staff may credit or debit (minor units): per action and per UTC day; 0 is nothing. */
  supportMoney: { perAction: number; perDay: number };
  /** The bearer token `/metrics` wants, or `null` (loopback scrapers only). */
  metricsToken: string | null;
  /** What every page's footer offers; each `null` when not configured. */
  footer: { supportContact: string | null; termsUrl: string | null; refundPolicyUrl: string | null };
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** How log lines are written: JSON, readable, or readable only on a terminal (`auto`). */
  logFormat: z.infer<typeof EnvSchema>['LOG_FORMAT'];
  /** Email notifications (`null`: none) and the language staff alerts are written in. */
  notifications: { email: { smtpUrl: string; from: string } | null; staffLocale: Locale };
  /** The Telegram bot, or `null` when no token is set. */
  telegram: TelegramConfig | null;
  /** Tests only (`SIGN_IN_PRESET_ROOTS`): the origin of a fake Yandex ID or VK ID server per preset; empty in production. */
  signInPresetRoots: Partial<Record<'yandex' | 'vk', string>>;
  /** Scheduled backups into a folder, or `null` (off). */
  backup: { dir: string; everyHours: number; keep: number } | null;
}

/** The Telegram bot's settings. */
export interface TelegramConfig {
  token: string;
  /** Telegram user ids (as strings) of the shop's admins in the bot. */
  adminIds: string[];
  apiRoot: string | null;
  /**
   * Telegram posts updates to this URL (with the secret header) instead of the bot polling; `null`: long polling.
   * `maxUpdates`: the updates one replica handles at once (TELEGRAM_WEBHOOK_MAX_UPDATES).
   */
  webhook: { url: string; secret: string | null; maxUpdates: number } | null;
  support: string | null;
  /** Sign-in from a Mini App's launch data, or `null` when TELEGRAM_MINI_APP is off. */
  miniApp: { maxAgeSeconds: number } | null;
}

/** Every problem with the settings, one per line, naming the variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the shop's settings are not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the settings; throws `ConfigError` listing every problem at once. */
export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): ShopConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  // An empty value is a missing one everywhere (a `NAME=` line left unfilled); the password, unlike the others, may
  // be absent (a server that trusts this host), so an empty one is named rather than skipped.
  if (env['PGPASSWORD'] === '') problems.push('PGPASSWORD: empty (the database password; leave the line out if there is none)');
  const embedded = e.DATABASE_URL === undefined;
  if (!embedded && e.SHOP_SECRET === undefined)
    problems.push("SHOP_SECRET: required with DATABASE_URL (at least 32 characters; keep it for the shop's lifetime)");
  if (!embedded && e.SHOP_SECRET_KEYS === undefined) {
    problems.push('SHOP_SECRET_KEYS: required with DATABASE_URL (id:base64 of 32 random bytes; `npm run secrets -- new-key k1` makes one)');
  }
  const secretKeys = e.SHOP_SECRET_KEYS === undefined ? null : readSecretKeys(e.SHOP_SECRET_KEYS, problems);
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined))
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither');
  if ((e.CARD_NUMBER === undefined) !== (e.CARD_HOLDER === undefined)) problems.push('CARD_NUMBER and CARD_HOLDER: set both or neither');
  if (e.SMTP_URL !== undefined && e.MAIL_FROM === undefined)
    problems.push('MAIL_FROM: required with SMTP_URL (the From of notification emails)');
  const demoPanel = e.DEMO_PANEL ?? embedded;
  const coreOff = e.DEMO_CORE === undefined || ['off', 'false', '0'].includes(e.DEMO_CORE);
  const demoCore = coreOff ? null : e.DEMO_CORE === 'v2ray' ? '/usr/bin/v2ray' : resolve(cwd, e.DEMO_CORE as string);
  if (demoCore !== null && !demoPanel) problems.push('DEMO_CORE: only the demo panels drive a core (DEMO_PANEL is off)');
  else if (demoCore !== null && e.DEMO_PANEL_KIND !== '3x-ui') problems.push('DEMO_CORE: only the simulated 3x-ui panels drive a core');
  else if (demoCore !== null && (!existsSync(demoCore) || !existsSync(join(dirname(demoCore), 'v2ctl')))) {
    problems.push(`DEMO_CORE: no ${demoCore} with v2ctl beside it (as root: apt-get install v2ray)`);
  }
  const publicUrls = readPublicUrls(e.PUBLIC_URLS, e.PUBLIC_URL, problems);
  if (e.TELEGRAM_WEBHOOK === true && publicUrls.length === 0)
    problems.push('TELEGRAM_WEBHOOK: on needs PUBLIC_URLS or PUBLIC_URL (the https address Telegram posts to)');
  // The bot's buyers are elsewhere: the only link it may give them is the shop's /s/<token> on an address they
  // can reach (a panel's own link would bypass the link's device checks), so the bot refuses to guess one.
  else if (e.TELEGRAM_BOT_TOKEN !== undefined && publicUrls.length === 0)
    problems.push("PUBLIC_URLS or PUBLIC_URL: required with TELEGRAM_BOT_TOKEN (the shop's address the bot gives buyers their link on)");
  if (problems.length > 0) throw new ConfigError(problems);
  const publicUrl = publicUrls[0] ?? null;

  const dataDir = e.DATA_DIR === undefined ? DEFAULT_DATA_DIR : isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    publicUrls,
    database: embedded
      ? { kind: 'pglite', dataDir: resolve(dataDir, 'pglite') }
      : { kind: 'postgres', url: e.DATABASE_URL as string, password: e.PGPASSWORD ?? null },
    schema: e.DATABASE_SCHEMA,
    dataDir,
    secret: e.SHOP_SECRET ?? null,
    secretKeys,
    shopName: e.SHOP_NAME,
    prefix: e.SHOP_PREFIX,
    currency: e.SHOP_CURRENCY,
    timeZone: e.SHOP_TIME_ZONE,
    figuresCalendar: e.SHOP_FIGURES_CALENDAR ?? (e.STAFF_LOCALE === 'fa' ? 'jalali' : 'gregorian'),
    demoPanel,
    demoCore,
    demoPanelKind: e.DEMO_PANEL_KIND,
    demoWireGuard: e.DEMO_WIREGUARD,
    panelsFile: e.PANELS_FILE === undefined ? null : resolve(cwd, e.PANELS_FILE),
    admin: e.ADMIN_EMAIL === undefined ? null : { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD as string },
    staffTotpRequired: e.STAFF_TOTP === 'required',
    cardToCard:
      e.CARD_NUMBER === undefined
        ? demoPanel
          ? { cardNumber: '6037-9900-0000-0000', holder: 'Demo Shop' }
          : null
        : { cardNumber: e.CARD_NUMBER, holder: e.CARD_HOLDER as string },
    // Off with DATABASE_URL even beside the demo panels: a database of its own is where real money may be.
    testPayments: e.TEST_PAYMENTS ?? embedded,
    runWorker: e.RUN_WORKER,
    trustProxy: e.TRUST_PROXY,
    telegramNewAccountsPerMinute: e.TELEGRAM_NEW_ACCOUNTS_PER_MINUTE,
    secureCookies: publicUrl?.startsWith('https:') ?? false,
    supportMoney: { perAction: e.SUPPORT_MONEY_PER_ACTION, perDay: e.SUPPORT_MONEY_PER_DAY },
    metricsToken: e.METRICS_TOKEN ?? null,
    footer: { supportContact: e.SUPPORT_CONTACT ?? null, termsUrl: e.TERMS_URL ?? null, refundPolicyUrl: e.REFUND_POLICY_URL ?? null },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    notifications: {
      email: e.SMTP_URL === undefined ? null : { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM as string },
      staffLocale: e.STAFF_LOCALE,
    },
    telegram: telegramConfig(e, publicUrl),
    signInPresetRoots: Object.fromEntries(
      (e.SIGN_IN_PRESET_ROOTS ?? '')
        .split(',')
        .filter((pair) => pair.trim() !== '')
        .map((pair) => pair.trim().split('=') as [string, string]),
    ),
    backup: e.BACKUP_DIR === undefined ? null : { dir: resolve(cwd, e.BACKUP_DIR), everyHours: e.BACKUP_EVERY_HOURS, keep: e.BACKUP_KEEP },
  };
}

function telegramConfig(e: z.infer<typeof EnvSchema>, publicUrl: string | null): TelegramConfig | null {
  if (e.TELEGRAM_BOT_TOKEN === undefined) return null;
  const webhook = e.TELEGRAM_WEBHOOK ?? publicUrl !== null;
  return {
    token: e.TELEGRAM_BOT_TOKEN,
    adminIds: (e.TELEGRAM_ADMIN_IDS ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== ''),
    apiRoot: e.TELEGRAM_API_ROOT ?? null,
    webhook:
      webhook && publicUrl !== null
        ? {
            url: new URL('/telegram/webhook', publicUrl).href,
            secret: e.TELEGRAM_WEBHOOK_SECRET ?? null,
            maxUpdates: e.TELEGRAM_WEBHOOK_MAX_UPDATES,
          }
        : null,
    support: e.TELEGRAM_SUPPORT ?? null,
    miniApp: e.TELEGRAM_MINI_APP ? { maxAgeSeconds: e.TELEGRAM_MINI_APP_MAX_AGE } : null,
  };
}

/**
 * The public addresses from PUBLIC_URLS (comma-separated) or PUBLIC_URL (one), each an http(s) origin with an
 * optional path, kept without a trailing slash; a problem is added for each bad or repeated one, and for both set.
 */
function readPublicUrls(list: string | undefined, one: string | undefined, problems: string[]): string[] {
  if (list !== undefined && one !== undefined) {
    problems.push('PUBLIC_URLS and PUBLIC_URL: set one of them (PUBLIC_URL is a list of one address)');
    return [];
  }
  if (list === undefined) return one === undefined ? [] : [one.replace(/\/+$/, '')];
  const urls: string[] = [];
  for (const raw of list.split(',').map((u) => u.trim())) {
    const parsed = URL.canParse(raw) ? new URL(raw) : null;
    if (parsed === null || !/^https?:$/.test(parsed.protocol) || parsed.search !== '' || parsed.hash !== '') {
      problems.push(`PUBLIC_URLS: "${raw}" is not an http(s) address like https://shop.example.com (no query, no #)`);
      continue;
    }
    const url = `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
    if (urls.includes(url)) problems.push(`PUBLIC_URLS: ${url} is listed twice`);
    else urls.push(url);
  }
  return urls;
}

/** The keys in SHOP_SECRET_KEYS, or `null` with the problem added (never echoing key material). */
function readSecretKeys(text: string, problems: string[]): SecretKey[] | null {
  try {
    return parseSecretKeys(text);
  } catch (error) {
    problems.push(`SHOP_SECRET_KEYS: ${(error as Error).message}`);
    return null;
  }
}
