/**
 * `DEMO_CORE=v2ray npm start`: the demo panels drive a real core, a plan bought in the demo sells
 * an inbound the core serves, and the link carries traffic; after a restart on the same data
 * folder the same link connects again (the core's ports are remembered).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@panelkit/sdk/testing';
import { startLinkClient, type LinkClient } from '@panelkit/panel-adapters/testing';
import pino from 'pino';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { openShop, type RunningShop } from '../src/stack/shop.js';
import { TEST_START } from './support/shop-under-test.js';

const V2RAY = '/usr/bin/v2ray';
const HAVE_V2RAY = existsSync(V2RAY) && existsSync('/usr/bin/v2ctl');

function fetchThrough(socksPort: number, url: string): Promise<string> {
  const agent = new SocksProxyAgent(`socks5h://127.0.0.1:${socksPort}`, { timeout: 15_000 });
  return new Promise((resolve, reject) => {
    const request = get(url, { agent, timeout: 15_000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy(new Error('no answer')));
    request.on('error', reject);
  });
}

describe.skipIf(!HAVE_V2RAY)(
  `the demo with a real core (DEMO_CORE=v2ray)${HAVE_V2RAY ? '' : ' (skipped: no /usr/bin/v2ray; the test command installs it)'}`,
  () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'panelkit-shop-core-'));
    let web: Server;
    let webUrl: string;
    const open: RunningShop[] = [];
    let client: LinkClient | undefined;

    beforeAll(async () => {
      web = createServer((_req, res) => res.end('hello through the demo'));
      await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', () => resolve()));
      webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}/`;
    });
    afterAll(async () => {
      await client?.stop();
      for (const shop of open.splice(0)) await shop.close();
      await new Promise<void>((resolve) => web.close(() => resolve()));
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('sells a link that carries traffic, counted by the panel, and still connects after a restart', async () => {
      const clock = new ManualClock(TEST_START);
      const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO_CORE: 'v2ray' });
      const logger = pino({ level: 'silent' });
      const first = await openShop(config, { clock, logger });
      open.push(first);
      const plan = (await first.storage.plans.list({ onSale: true })).find((p) => p.family === 'fra-standard');
      if (plan === undefined) throw new Error('no demo plan');
      const customer = await first.storage.customers.create({ email: 'core@example.com' });
      await first.kit.topUp({ customerId: customer.id, amount: plan.price, idempotencyKey: 'core-topup' });
      const { subscriptions } = await first.kit.checkout({
        customerId: customer.id,
        items: [{ planId: plan.id }],
        idempotencyKey: 'core-order',
      });
      await first.kit.createWorker().drain();
      const sold = await first.storage.subscriptions.get(subscriptions[0]!.id);
      expect(sold?.status).toBe('active');
      const demo = first.demo!.panels.find((p) => p.panel.id === sold!.panelId)!;
      const live = demo.sim.core!.inbounds().filter((inbound) => inbound.served);
      expect(live.map((inbound) => inbound.remark)).toEqual(['VLESS-WS (live)', 'VMess-TCP (live)', 'Trojan-TCP (live)', 'SS-AES (live)']);
      const [link] = sold!.shareLinks;
      expect(link).toMatch(new RegExp(`^vless://${sold!.remote.uuid}@127\\.0\\.0\\.1:${live[0]!.port}\\?`));

      client = await startLinkClient(V2RAY, link!);
      expect(await fetchThrough(client.socksPort, webUrl)).toBe('hello through the demo');
      expect((await demo.sim.core!.trafficJob()).bytes).toBeGreaterThan(0);
      await first.close();
      open.splice(0);

      const second = await openShop(config, { clock, logger });
      open.push(second);
      await second.kit.reconcile({ repair: true });
      await second.kit.createWorker().drain();
      expect(await fetchThrough(client.socksPort, webUrl)).toBe('hello through the demo');
    }, 120_000);
  },
);
