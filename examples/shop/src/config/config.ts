import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

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
  /** The address buyers use, e.g. `https://shop.example.com`; makes cookies Secure when https. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** PostgreSQL; without it the shop runs on embedded PGlite in DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,40}$/, 'must be a plain lower-case identifier').default('panelkit'),
  DATA_DIR: z.string().min(1).optional(),
  /** Derives panel usernames and signs CSRF tokens: at least 32 characters, and it must never change. */
  SHOP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SHOP_NAME: z.string().min(1).max(80).default('panelkit shop'),
  /** The prefix of client names on panels, so this shop's clients are recognised (and others' left alone). */
  SHOP_PREFIX: z.string().regex(/^[a-z][a-z0-9]{1,11}$/, 'must be 2–12 lower-case letters or digits').default('shop'),
  SHOP_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD').default('USD'),
  /** Expiry dates are shown in this zone. */
  SHOP_TIME_ZONE: timeZone.default('UTC'),
  /** `on`: start a simulated 3x-ui panel in-process with demo plans. Default on without DATABASE_URL. */
  DEMO_PANEL: onOff.optional(),
  /** A JSON file of panels (with real credentials) to add or update at start. */
  PANELS_FILE: z.string().min(1).optional(),
  /** Creates this admin at start when no account has the address yet. */
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /** Card-to-card top-ups: the card buyers pay to (shown on the wallet page). */
  CARD_NUMBER: z.string().regex(/^[0-9 -]{12,30}$/, 'must be a card number').optional(),
  CARD_HOLDER: z.string().min(1).max(100).optional(),
  /** The test payment provider credits the wallet at once. Default on in demo mode only. */
  TEST_PAYMENTS: onOff.optional(),
  /** `off` runs the web server only; run `npm run worker -w examples/shop` elsewhere. */
  RUN_WORKER: onOff.default(true),
  TRUST_PROXY: onOff.default(false),
  /** Shown in every page's footer when set: an https:// or t.me link, an email address, or a Telegram @handle. */
  SUPPORT_CONTACT: z.string().regex(/^(https?:\/\/\S+|[^\s@]+@[^\s@]+\.[^\s@]+|@[A-Za-z0-9_]{3,32})$/, 'must be a link, an email address or a Telegram @handle').optional(),
  /** Links to the shop's terms and refund policy, shown in every page's footer when set. */
  TERMS_URL: z.url({ protocol: /^https?$/ }).optional(),
  REFUND_POLICY_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface ShopConfig {
  port: number;
  host: string;
  publicUrl: string | null;
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
  schema: string;
  dataDir: string;
  /** `null` in embedded mode until the data folder provides one (see `ensureSecret`). */
  secret: string | null;
  shopName: string;
  prefix: string;
  currency: string;
  timeZone: string;
  demoPanel: boolean;
  panelsFile: string | null;
  admin: { email: string; password: string } | null;
  cardToCard: { cardNumber: string; holder: string } | null;
  testPayments: boolean;
  runWorker: boolean;
  trustProxy: boolean;
  secureCookies: boolean;
  /** What every page's footer offers; each `null` when not configured. */
  footer: { supportContact: string | null; termsUrl: string | null; refundPolicyUrl: string | null };
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
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
  const embedded = e.DATABASE_URL === undefined;
  if (!embedded && e.SHOP_SECRET === undefined) problems.push('SHOP_SECRET: required with DATABASE_URL (at least 32 characters; keep it for the shop\'s lifetime)');
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) problems.push('ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither');
  if ((e.CARD_NUMBER === undefined) !== (e.CARD_HOLDER === undefined)) problems.push('CARD_NUMBER and CARD_HOLDER: set both or neither');
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = e.DATA_DIR === undefined ? DEFAULT_DATA_DIR : isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR);
  const demoPanel = e.DEMO_PANEL ?? embedded;
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ?? null,
    database: embedded ? { kind: 'pglite', dataDir: resolve(dataDir, 'pglite') } : { kind: 'postgres', url: e.DATABASE_URL as string },
    schema: e.DATABASE_SCHEMA,
    dataDir,
    secret: e.SHOP_SECRET ?? null,
    shopName: e.SHOP_NAME,
    prefix: e.SHOP_PREFIX,
    currency: e.SHOP_CURRENCY,
    timeZone: e.SHOP_TIME_ZONE,
    demoPanel,
    panelsFile: e.PANELS_FILE === undefined ? null : resolve(cwd, e.PANELS_FILE),
    admin: e.ADMIN_EMAIL === undefined ? null : { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD as string },
    cardToCard: e.CARD_NUMBER === undefined ? (demoPanel ? { cardNumber: '6037-9900-0000-0000', holder: 'Demo Shop' } : null) : { cardNumber: e.CARD_NUMBER, holder: e.CARD_HOLDER as string },
    testPayments: e.TEST_PAYMENTS ?? demoPanel,
    runWorker: e.RUN_WORKER,
    trustProxy: e.TRUST_PROXY,
    secureCookies: e.PUBLIC_URL?.startsWith('https:') ?? false,
    footer: { supportContact: e.SUPPORT_CONTACT ?? null, termsUrl: e.TERMS_URL ?? null, refundPolicyUrl: e.REFUND_POLICY_URL ?? null },
    logLevel: e.LOG_LEVEL,
  };
}
