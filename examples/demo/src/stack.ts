import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { createPanelkit, type Clock, type Panelkit } from '@panelkit/sdk';
import type { StoragePort } from '@panelkit/sdk/storage';
import { createXuiAdapter, type XuiAdapter } from '@panelkit/panel-adapters';
import { createXuiSimulator, serveOnLocalhost, type RunningSimulator, type XuiSimulator } from '@panelkit/panel-adapters/testing';
import { createPostgresStorage, fromPGlite, migrate } from '@panelkit/storage-postgres';

/** The 3x-ui release line most panels in the field run (API generation A). */
export const SIMULATED_VERSION = '2.8.x';

export interface StackOptions {
  clock: Clock;
  /** A PGlite data folder; `null` keeps the database in memory (tests). */
  dataDir: string | null;
  /** Fixed ports for the panel and its subscription service (keep-running mode); default any free ports. */
  ports?: { panel: number; subscription: number };
}

/** Everything the demo runs on: an embedded database, a 3x-ui panel on 127.0.0.1, and the engine. */
export interface DemoStack {
  readonly clock: Clock;
  readonly storage: StoragePort;
  readonly sim: XuiSimulator;
  readonly kit: Panelkit;
  /** The panel's URL with its secret base path, as an admin would type it. */
  readonly panelUrl: string;
  /** The panel's subscription service (`subURI`): a client's subId is appended. */
  readonly subscriptionBaseUrl: string;
  readonly login: { username: string; password: string };
  readonly schemaVersion: number;
  /** The adapter the engine uses for a stored panel (one per panel, made on first use). */
  adapterFor(panelId: string): XuiAdapter;
  close(): Promise<void>;
}

/**
 * Opens PGlite and migrates it, starts the 3x-ui simulator as a real HTTP server with a random
 * base path and password (as a fresh install has) and its subscription service on a second
 * port, and wires the engine to it through the real
 * 3x-ui adapter. Every part shares `clock`, so moving it moves the panel too.
 */
export async function openDemoStack(options: StackOptions): Promise<DemoStack> {
  const { clock } = options;
  const db = options.dataDir === null ? await PGlite.create() : await PGlite.create(options.dataDir);
  const opened: Array<() => Promise<void>> = [() => db.close()];
  const closeAll = async () => {
    for (const close of opened.reverse()) await close();
  };
  try {
    const client = fromPGlite(db);
    const migrated = await migrate(client, { clock });
    const storage = createPostgresStorage({ client, clock });
    opened.push(() => storage.close());

    const login = { username: 'admin', password: randomBytes(9).toString('base64url') };
    const basePath = `/${randomBytes(6).toString('hex')}/`;
    const sim = createXuiSimulator({ version: SIMULATED_VERSION, basePath, credentials: login, clock });
    sim.seedDemo();
    const server: RunningSimulator = await serveOnLocalhost(sim.handle, options.ports === undefined ? {} : { port: options.ports.panel });
    opened.push(() => server.close());
    const panelUrl = `${server.origin}${basePath}`;
    // 3x-ui serves subscriptions from a server of its own (port 2096 on a real install).
    const subServer = await serveOnLocalhost(
      sim.subscriptionService({ path: '/sub/' }),
      options.ports === undefined ? {} : { port: options.ports.subscription },
    );
    opened.push(() => subServer.close());
    const subscriptionBaseUrl = `${subServer.origin}/sub/`;

    const adapters = new Map<string, XuiAdapter>();
    const kit = createPanelkit({
      storage,
      clock,
      policy: { identity: { secret: randomBytes(24).toString('hex'), prefix: 'demo' } },
      panels: (panel) => {
        if (panel.credentials.type !== 'password') throw new Error('the demo panel logs in with a password');
        const adapter = createXuiAdapter({
          baseUrl: panel.baseUrl,
          auth: { username: panel.credentials.username, password: panel.credentials.password },
          panelId: panel.id,
          clock,
          links:
            typeof panel.options['subscriptionBaseUrl'] === 'string' ? { subscriptionBaseUrl: panel.options['subscriptionBaseUrl'] } : {},
        });
        adapters.set(panel.id, adapter);
        return adapter;
      },
    });
    return {
      clock,
      storage,
      sim,
      kit,
      panelUrl,
      subscriptionBaseUrl,
      login,
      schemaVersion: migrated.to,
      adapterFor(panelId) {
        const adapter = adapters.get(panelId);
        if (adapter === undefined) throw new Error(`the engine has not used panel ${panelId} yet`);
        return adapter;
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
