/**
 * The shop's engine: the storage (PostgreSQL at `DATABASE_URL`, else an in-memory PGlite), the kit with its panel,
 * payment providers and link tokens, and what it sells, stored once however many processes start at once.
 */
import { PGlite } from '@electric-sql/pglite';
import { createPanelAdapter } from '@panelkit/panel-adapters';
import { STRIPE_API_BASE, stripeProvider } from '@panelkit/payment-providers/stripe';
import { YOOKASSA_API_BASE, yookassaProvider } from '@panelkit/payment-providers/yookassa';
import { ConflictError, createPanelkit, PanelNameTakenError } from '@panelkit/sdk';
import { createPostgresStorage, fromPGlite, fromPgPool, migrate } from '@panelkit/storage-postgres';
import pg from 'pg';

const PANEL = 'Frankfurt';

/** Opens the storage and the kit over `settings`; `publicUrl()` is where buyers come back from the gateways. */
export async function openShop(settings: Record<string, string | undefined>, publicUrl: () => string) {
  const need = (name: string) => settings[name] || fail(`${name} is not set`);
  const schema = settings['DATABASE_SCHEMA'] ?? 'starter';
  const pool = settings['DATABASE_URL'] ? new pg.Pool({ connectionString: settings['DATABASE_URL'], max: 5 }) : null;
  const pglite = pool === null ? await PGlite.create() : null;
  const client = pool !== null ? fromPgPool(pool) : fromPGlite(pglite as PGlite);
  await migrate(client, { schema }); // every process calls it: it takes a lock and applies what is missing
  const storage = createPostgresStorage({ client, schema });
  const callbackUrl = (paymentId: string) => `${publicUrl()}/paid/${paymentId}`;
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
            shopId: need('YOOKASSA_SHOP_ID'),
            secretKey: need('YOOKASSA_SECRET_KEY'),
          },
          callbackUrl,
        }),
        stripeProvider({
          api: {
            baseUrl: settings['STRIPE_URL'] ?? STRIPE_API_BASE,
            secretKey: need('STRIPE_SECRET_KEY'),
            webhookSecret: need('STRIPE_WEBHOOK_SECRET'),
          },
          callbackUrl,
        }),
      ],
    },
  });

  // The panel, its inbounds as targets, and the plan. Processes starting together race to store them: a panel's
  // name and a plan's id are unique, so the loser's write changes nothing and it goes on with the winner's.
  const credentials = { type: 'password' as const, username: need('XUI_USERNAME'), password: need('XUI_PASSWORD') };
  const panelId = await kit.panels.add({ kind: '3x-ui', name: PANEL, baseUrl: need('XUI_URL'), credentials }).then(
    (panel) => panel.id,
    async (error: unknown) =>
      PanelNameTakenError.is(error) ? (await storage.panels.list()).find((p) => p.name === PANEL)!.id : fail(error),
  );
  const lost = (error: unknown) => (ConflictError.is(error) ? null : fail(error));
  await kit.targets.sync(panelId, { capacity: 100 }).catch(lost);
  const plan = { name: 'Monthly 50 GiB', family: 'standard', durationDays: 30, trafficBytes: 50 * 1024 ** 3 };
  // 500 roubles (prices are minor units); the link serves at most 5 devices (apps that send their HWID).
  await kit.plans.create({ id: 'plan_monthly', ...plan, price: { amount: 50_000, currency: 'RUB' }, deviceLimit: 5 }).catch(lost);
  // SELL_WIREGUARD=1 (a panel with a WireGuard inbound: 3x-ui v3.4.2+): a bundle of an Xray client and a WireGuard
  // peer, one subscription each under one bundleId and one debit. A peer has no device limit: one key, one device.
  const bundle = { ...plan, name: 'Xray + WireGuard', family: 'bundle', kinds: ['xray' as const, 'wireguard' as const] };
  if (settings['SELL_WIREGUARD'] === '1')
    await kit.plans.create({ id: 'plan_bundle', ...bundle, price: { amount: 70_000, currency: 'RUB' }, deviceLimit: 5 }).catch(lost);

  return { kit, close: () => pool?.end() ?? pglite!.close() };
}

function fail(error: unknown): never {
  throw typeof error === 'string' ? new Error(error) : error;
}
