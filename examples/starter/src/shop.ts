/**
 * The shop's engine: the storage (PostgreSQL at `DATABASE_URL`, else an in-memory PGlite), the kit with its panels,
 * payment providers and link tokens, and what it sells, stored once however many processes start at once.
 */
import { PGlite } from '@electric-sql/pglite';
import { createPanelAdapter } from '@panelkit/panel-adapters';
import { STRIPE_API_BASE, stripeProvider } from '@panelkit/payment-providers/stripe';
import { YOOKASSA_API_BASE, yookassaProvider } from '@panelkit/payment-providers/yookassa';
import { ConflictError, createPanelkit, PanelNameTakenError, type Panelkit } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createPostgresStorage, fromPGlite, fromPgPool, migrate } from '@panelkit/storage-postgres';
import pg from 'pg';

/** The one plan on sale: 30 days, 50 GiB, 500 roubles (prices are minor units: kopecks). */
export const PLAN_ID = 'plan_monthly';
const PANEL_NAME = 'Frankfurt';

/** The settings `main.ts` reads from the environment (or from the simulated world). */
export type Settings = Readonly<Record<string, string | undefined>>;

export interface Shop {
  kit: Panelkit;
  close(): Promise<void>;
}

function need(settings: Settings, name: string): string {
  const value = settings[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

/** Opens the storage, migrates it, and builds the kit; `publicUrl()` is where buyers come back after paying. */
export async function openShop(settings: Settings, publicUrl: () => string): Promise<Shop> {
  const schema = settings['DATABASE_SCHEMA'] ?? 'starter';
  const pool = settings['DATABASE_URL'] ? new pg.Pool({ connectionString: settings['DATABASE_URL'], max: 5 }) : null;
  const pglite = pool === null ? await PGlite.create() : null;
  const client = pool !== null ? fromPgPool(pool) : fromPGlite(pglite as PGlite);
  await migrate(client, { schema }); // every process may call it: it takes a lock and applies what is missing
  const returnTo = (paymentId: string) => `${publicUrl()}/paid/${paymentId}`;
  const storage = createPostgresStorage({ client, schema });
  const kit = createPanelkit({
    storage,
    panels: (panel) => createPanelAdapter(panel),
    // Client names and uuids on the panel, and buyers' link tokens, derive from these: keep them stable and private.
    policy: { identity: { secret: settings['IDENTITY_SECRET'] ?? 'starter-identity-secret-change-me', prefix: 'st' } },
    links: { secret: settings['LINK_SECRET'] ?? 'starter-link-secret-change-me' },
    payments: {
      providers: [
        yookassaProvider({
          api: {
            baseUrl: settings['YOOKASSA_URL'] ?? YOOKASSA_API_BASE,
            shopId: need(settings, 'YOOKASSA_SHOP_ID'),
            secretKey: need(settings, 'YOOKASSA_SECRET_KEY'),
          },
          callbackUrl: returnTo,
        }),
        stripeProvider({
          api: {
            baseUrl: settings['STRIPE_URL'] ?? STRIPE_API_BASE,
            secretKey: need(settings, 'STRIPE_SECRET_KEY'),
            webhookSecret: need(settings, 'STRIPE_WEBHOOK_SECRET'),
          },
          callbackUrl: returnTo,
        }),
      ],
    },
  });
  await stock(kit, storage, settings);
  return {
    kit,
    close: async () => {
      await (pool?.end() ?? pglite?.close());
    },
  };
}

/**
 * The panel, its inbounds as targets and the plan. Processes starting together race to store them: the panel's
 * name and the plan's id are unique, so the loser's write changes nothing and it reads the winner's.
 */
async function stock(kit: Panelkit, storage: StoragePort, settings: Settings): Promise<void> {
  let panelId: string;
  try {
    const credentials = { type: 'password' as const, username: need(settings, 'XUI_USERNAME'), password: need(settings, 'XUI_PASSWORD') };
    panelId = (await kit.panels.add({ kind: '3x-ui', name: PANEL_NAME, baseUrl: need(settings, 'XUI_URL'), credentials })).id;
  } catch (error) {
    if (!PanelNameTakenError.is(error)) throw error;
    panelId = (await storage.panels.list()).find((panel) => panel.name === PANEL_NAME)!.id;
  }
  await ignoreConflict(kit.targets.sync(panelId, { capacity: 100 })); // the panel's inbounds become targets
  await ignoreConflict(
    kit.plans.create({
      id: PLAN_ID,
      name: 'Monthly 50 GiB',
      family: 'standard',
      price: { amount: 50_000, currency: 'RUB' },
      durationDays: 30,
      trafficBytes: 50 * 1024 ** 3,
      deviceLimit: 5, // the link counts each app's device (its HWID) and refuses a sixth
    }),
  );
}

async function ignoreConflict(work: Promise<unknown>): Promise<void> {
  await work.catch((error: unknown) => {
    if (!ConflictError.is(error)) throw error;
  });
}
