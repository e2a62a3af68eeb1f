import { announceAddressChange } from '../app/notifications/address-change.js';
import { neverConnectedJob } from '../app/growth/never-connected.js';
import { winBackJob } from '../app/growth/win-back.js';
import { figuresCalendarOf } from '../app/stats/figure-months.js';
import { ConfigurationError, createPanelkit, systemClock, withAuditOutbox, type Clock, type EnginePolicy } from '@panelkit/sdk';
import { createPostgresStorage, migrate, resealSecrets } from '@panelkit/storage-postgres';
import { withLocationsCache } from './locations-cache.js';
import { withPlansOnSaleCache } from './plans-on-sale-cache.js';
import type { Logger } from 'pino';
import type { ShopConfig } from '../config/config.js';
import { PASSWORD_COST } from '../app/auth/password.js';
import type { PasswordCost, Shop } from '../app/shop.js';
import { AccountStore } from '../db/accounts.js';
import { ApiTokenStore } from '../db/api-tokens.js';
import { DROP_LEGACY_PAYMENTS, migrateShop, NOTIFICATIONS_ON_HOST_JOBS, shopSchemaName } from '../db/migrations.js';
import { carryOverLegacyPayments, hasLegacyPayments } from '../db/legacy-payments.js';
import { hasNotificationRelay } from '../db/notification-queue-carry-over.js';
import { carryOverNotificationQueue } from '../app/notifications/queue-carry-over.js';
import { TelegramLinkStore } from '../db/telegram-links.js';
import { shopPaymentProviders } from '../app/payments/sdk-providers.js';
import { gatewaySweepJob } from '../app/payments/rails/gateway-sweep.js';
import { gatewayBase } from '../config/public-addresses.js';
import { SessionStore } from '../db/sessions.js';
import { StaffTotpStore } from '../db/staff-totp.js';
import { applyPanelsFile } from '../app/panels/panels-file.js';
import { enqueueEventNotices, enqueueEventNoticesMany } from '../app/notifications/event-notices.js';
import { NOTIFYING_ACTIONS } from '../app/notifications/audit-notices.js';
import { scheduledBackupJob } from '../app/backup/scheduled.js';
import { oldBotImportJob } from '../app/import/import-runs.js';
import { randomSecret, remembered } from './data-folder.js';
import { openDatabase, type OpenDatabase } from './database.js';
import { startDemoPanels, type DemoPanels } from './demo-panels.js';
import { configSecrets } from './config-secrets.js';
import { registerLogSecrets } from '../logging/logger.js';
import { assertPanelKindsKnown, panelAdapterFactory } from '../app/panels/panel-adapters.js';
import { shopSecretBox } from './secret-keys.js';
import { resealShopSecrets } from '../db/shop-secrets.js';

/** The shop {@link openShop} opened: the use cases' {@link Shop}, with the simulated panels of demo mode. */
export interface RunningShop extends Shop {
  /** The simulated panels in demo mode, else `null`. */
  readonly demo: DemoPanels | null;
}

export interface OpenShopOptions {
  clock?: Clock;
  logger: Logger;
  /**
   * `memory`: PGlite in memory and nothing kept in the data folder (tests). An open database: one the caller
   * opened (tests reuse PGlite instances); nothing is kept in the data folder either, and closing the shop
   * calls its `close()`.
   */
  database?: 'config' | 'memory' | OpenDatabase;
  /** With `memory`: a PGlite data folder (from `dumpDataDir`) the database starts from, to skip initdb. */
  memoryFrom?: Blob | undefined;
  /**
   * The scrypt cost of new password hashes; {@link PASSWORD_COST} unless set. Only tests lower it (a test
   * shop signs up hundreds of buyers); there is no setting for it, so a deployed shop cannot weaken it.
   */
  passwordCost?: PasswordCost;
  /**
   * How the engine's own panel reads (health checks, usage pages) are retried within one call; the SDK's default
   * (4 attempts, backoff from 250 ms) unless set. Only tests set it: on a manual clock those backoffs are real
   * waits, so a test shop keeps the attempts and shortens the sleeps. There is no setting for it.
   */
  panelReadRetry?: EnginePolicy['panelReadRetry'];
}

/**
 * Opens the database (and migrates the engine's and the shop's schemas), wires the engine to the
 * panels by kind, and in demo mode starts the simulated panels with their plans. Closing undoes
 * it in reverse order.
 */
export async function openShop(config: ShopConfig, options: OpenShopOptions): Promise<RunningShop> {
  const clock = options.clock ?? systemClock;
  const { logger } = options;
  const given = typeof options.database === 'object' ? options.database : null;
  const inMemory = options.database === 'memory' || given !== null;
  const keepDir = inMemory ? null : config.dataDir;
  const database = given ?? (await openDatabase(inMemory ? { kind: 'memory', from: options.memoryFrom } : config.database));
  const closers: Array<() => Promise<void>> = [() => database.close()];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const client = database.client;
    await migrate(client, { schema: config.schema, clock });
    // Payments of earlier releases are carried over to the SDK before the shop's own table is dropped, and what
    // their notification queue left undone is handed to the SDK's before that queue is dropped.
    const legacyPayments = await hasLegacyPayments(client, shopSchemaName(config.schema));
    const oldNotificationQueue = await hasNotificationRelay(client, shopSchemaName(config.schema));
    const afterPayments = oldNotificationQueue ? { before: NOTIFICATIONS_ON_HOST_JOBS } : {};
    await migrateShop(client, config.schema, clock.now(), legacyPayments ? { before: DROP_LEGACY_PAYMENTS } : afterPayments);
    const secretBox = shopSecretBox(config, keepDir);
    // Seals rows written before encryption and proves the keys open every stored secret, before anything is served.
    const sealing = await resealSecrets(client, { schema: config.schema, secretBox });
    if (sealing.sealed > 0) logger.info({ sealed: sealing.sealed }, 'panel credentials sealed at rest');
    await resealShopSecrets(client, shopSchemaName(config.schema), secretBox, false);
    // Every audit event that may notify someone enqueues its notices job in the transaction that writes it.
    let opened: RunningShop | undefined;
    const shopOf = (): Shop => {
      if (opened === undefined) throw new Error('the shop is still opening');
      return opened;
    };
    // Buyers' catalogs read the plans on sale and the locations from per-process copies a few seconds old at most
    // (saves here: at once).
    const storage = withLocationsCache(
      withPlansOnSaleCache(
        withAuditOutbox(
          createPostgresStorage({
            client,
            schema: config.schema,
            clock,
            logger: logger.child({ component: 'storage' }),
            secretBox,
          }),
          enqueueEventNotices(),
          // Only the actions that may notify reach the hooks: a checkout's placement (none of them) may then commit with it.
          { many: enqueueEventNoticesMany(), actions: NOTIFYING_ACTIONS },
        ),
      ),
    );
    closers.push(() => storage.close());

    const secret = config.secret ?? remembered(keepDir, 'secret.json', () => ({ secret: randomSecret(32) })).secret;
    registerLogSecrets(logger, ...configSecrets(config), secret);
    const adapterFor = panelAdapterFactory({ clock, logger: logger.child({ component: 'panel' }) });
    const kit = createPanelkit({
      storage,
      clock,
      logger: logger.child({ component: 'engine' }),
      panels: adapterFor,
      policy: {
        identity: { secret, prefix: config.prefix },
        ...(options.panelReadRetry === undefined ? {} : { panelReadRetry: options.panelReadRetry }),
      },
      // Buyers' `/s/<token>` links: derived from the same secret the shop's own link table used, so they keep working.
      links: { secret },
      // The owner figures' months: the shop's zone, in its figures calendar (SHOP_FIGURES_CALENDAR).
      figures: figuresCalendarOf(config),
      payments: {
        providers: shopPaymentProviders(
          { db: client, shopSchema: shopSchemaName(config.schema), secretBox },
          {
            telegram: config.telegram,
            secret,
            callbackBase: gatewayBase(config),
            contactOf: async (customerId) => ({ email: (await storage.customers.get(customerId))?.email ?? null, phone: null }),
            starsPayerOf: async (customerId) => {
              const link = await new TelegramLinkStore(client, shopSchemaName(config.schema), clock).byCustomer(customerId);
              return link === null ? null : Number(link.telegramUserId);
            },
          },
        ),
        secrets: secretBox,
      },
    });
    kit.events.on('error', (error) => logger.error({ err: error }, 'engine listener failed'));
    if (config.panelsFile !== null) await applyPanelsFile({ kit, storage }, config.panelsFile, logger.child({ component: 'panels-file' }));
    await assertPanelKindsKnown(storage);
    // A user the panel fails to return is skipped by usage sync; its admins must repair it on the panel (the engine
    // announces it once, and the staff get a client_unreadable notice from its audit event).
    kit.events.on('usage:client_unreadable', ({ panelId, client }) =>
      logger.warn({ panelId, ...client }, 'a client on this panel cannot be read (the panel answers 500 for it); repair it on the panel'),
    );
    if (legacyPayments) {
      const carried = await carryOverLegacyPayments(client, shopSchemaName(config.schema), { kit, ledger: storage.ledger }, clock.now());
      if (carried.failed.length > 0)
        throw new ConfigurationError(
          `${carried.failed.length} payments of the shop's earlier release could not be carried over (the old table is kept): ` +
            carried.failed
              .slice(0, 5)
              .map((f) => `${f.id}: ${f.error}`)
              .join('; '),
        );
      logger.info({ read: carried.read, imported: carried.imported }, "the shop's payments were carried over to the SDK");
      await migrateShop(client, config.schema, clock.now(), afterPayments);
    }

    const shopSchema = shopSchemaName(config.schema);
    let demo: DemoPanels | null = null;
    if (config.demoPanel) {
      demo = await startDemoPanels({
        storage,
        clock,
        dataDir: keepDir,
        currency: config.currency,
        kit,
        core: config.demoCore,
        planTexts: { db: client, shopSchema },
        kind: config.demoPanelKind,
        wireGuard: config.demoWireGuard,
      });
      closers.push(() => (demo as DemoPanels).close());
    }
    opened = {
      config,
      clock,
      logger,
      storage,
      kit,
      db: client,
      shopSchema,
      accounts: new AccountStore(client, shopSchema, clock),
      sessions: new SessionStore(client, shopSchema, clock),
      apiTokens: new ApiTokenStore(client, shopSchema, clock),
      staffTotp: new StaffTotpStore(client, shopSchema, clock, secretBox),
      secret,
      secretBox,
      demo,
      passwordCost: options.passwordCost ?? PASSWORD_COST,
      hostJobs: [
        scheduledBackupJob(shopOf),
        oldBotImportJob(shopOf),
        gatewaySweepJob(shopOf),
        neverConnectedJob(shopOf),
        winBackJob(shopOf),
      ],
      close,
    };
    if (oldNotificationQueue) {
      const carried = await carryOverNotificationQueue(opened);
      logger.info(carried, "the shop's notification queue was carried over to the SDK's");
      await migrateShop(client, config.schema, clock.now());
    }
    // Buyers hear of a new first public address once, whichever process starts first with it.
    const told = await announceAddressChange(opened);
    if (told > 0) logger.info({ buyers: told, address: config.publicUrl }, 'buyers were told the shop has a new address');
    return opened;
  } catch (error) {
    await close();
    throw error;
  }
}
