/**
 * One web replica of the shop as its own OS process (bundled by `bundledEntry` and forked): it
 * serves the app on a free port of 127.0.0.1 over the database in its environment, reports `{ type: 'ready', url }`,
 * and stops on `{ type: 'stop' }`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/stack/web-app.js';
import { openShop } from '../../src/stack/shop.js';

const shop = await openShop(loadConfig({ ...process.env, DEMO_PANEL: 'off' }), { logger: pino({ level: 'silent' }) });
const app = createApp(shop);
const server: Server = await new Promise((done) => {
  const s = app.listen(0, '127.0.0.1', () => done(s));
});
process.on('message', async (command: { type: string }) => {
  if (command.type !== 'stop') return;
  server.closeAllConnections();
  server.close();
  await shop.close();
  process.exit(0);
});
process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
