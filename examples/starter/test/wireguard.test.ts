/**
 * `SELL_WIREGUARD=1 npm run starter`, as the README's "Selling WireGuard too" walks it: the simulated panel is a
 * 3x-ui v3.6 with a WireGuard inbound, and `plan_bundle` sells an Xray client and a WireGuard peer under one
 * `bundleId`. The link serves the Xray part to the apps, and the peer's `.conf` (alone, and in the zip) to download.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanEnvironment } from '../../../scripts/test-support/packed-workspace.js';

const folder = fileURLToPath(new URL('..', import.meta.url));

interface Part {
  id: string;
  status: string;
  kind: string;
  bundleId: string | null;
  shareLinks: string[];
}

async function post<T>(url: string, body: unknown, key?: string): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: key ? { 'idempotency-key': key } : {}, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('examples/starter with SELL_WIREGUARD=1', () => {
  it('sells the Xray + WireGuard bundle and gives the peer its .conf and the zip', async () => {
    const child = spawn(process.execPath, ['--conditions=@panelkit/source', '--import', 'tsx', 'src/main.ts'], {
      cwd: folder,
      env: cleanEnvironment({ PORT: '0', SELL_WIREGUARD: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    const shop = await new Promise<string>((done, fail) => {
      const read = (chunk: Buffer) => {
        output += String(chunk);
        const found = /starter shop is running at (http:\S+)/.exec(output);
        if (found) done(found[1]!);
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      void exited.then((code) => fail(new Error(`it exited (${code}) while starting:\n${output}`)));
    });

    try {
      const buyer = await post<{ id: string; link: string }>(`${shop}/customers`, { email: 'wg@example.com' });
      const topUp = { provider: 'yookassa', amount: 70_000, currency: 'RUB' };
      const { redirectUrl } = await post<{ redirectUrl: string }>(`${shop}/customers/${buyer.id}/top-ups`, topUp, 't');
      await fetch(redirectUrl, { method: 'POST', redirect: 'manual' });
      const account = async () =>
        (await (await fetch(`${shop}/customers/${buyer.id}`)).json()) as { balances: unknown[]; subscriptions: Part[] };
      expect((await account()).balances).toEqual([{ amount: 70_000, currency: 'RUB' }]);

      await post(`${shop}/customers/${buyer.id}/orders`, { planId: 'plan_bundle' }, 'o');
      let parts = (await account()).subscriptions;
      for (let i = 0; i < 300 && !(parts.length === 2 && parts.every((p) => p.status === 'active')); i++) {
        await new Promise((tick) => setTimeout(tick, 100));
        parts = (await account()).subscriptions;
      }
      // One debit of the whole price; two parts, one of each kind, under one bundle.
      expect((await account()).balances).toEqual([{ amount: 0, currency: 'RUB' }]);
      expect(parts.map((p) => [p.kind, p.status]).sort()).toEqual([
        ['wireguard', 'active'],
        ['xray', 'active'],
      ]);
      expect(parts[0]!.bundleId).toMatch(/^bnd_/);
      expect(parts[1]!.bundleId).toBe(parts[0]!.bundleId);
      const peer = parts.find((p) => p.kind === 'wireguard')!;
      expect(peer.shareLinks[0]).toMatch(/^wireguard:\/\//);

      // The apps' link carries the Xray part only: no base64 app is handed a WireGuard link.
      const v2rayng = await fetch(buyer.link, { headers: { 'user-agent': 'v2rayNG/1.10.2' } });
      const links = Buffer.from(await v2rayng.text(), 'base64').toString('utf8');
      expect(links).toMatch(/^vless:\/\//m);
      expect(links).not.toContain('wireguard://');

      const conf = await fetch(`${buyer.link}/config/${peer.id}.conf`);
      expect(conf.status).toBe(200);
      expect(conf.headers.get('content-disposition')).toMatch(/^attachment; filename="[\w.-]+\.conf"$/);
      expect(conf.headers.get('cache-control')).toBe('no-store');
      const text = await conf.text();
      expect(text).toMatch(/^\[Interface\]\nPrivateKey = \S+=\nAddress = 10\.\d+\.\d+\.\d+\/32\n/);
      expect(text).toMatch(/\[Peer\]\nPublicKey = \S+=\n[\s\S]*Endpoint = [^\n]+:51820\n/);
      const zip = await fetch(`${buyer.link}/configs.zip`);
      expect(zip.headers.get('content-type')).toBe('application/zip');
      expect(
        Buffer.from(await zip.arrayBuffer())
          .subarray(0, 4)
          .toString('latin1'),
      ).toBe('PK\x03\x04');
      // The Xray part has no .conf, and another token opens nothing.
      const xray = parts.find((p) => p.kind === 'xray')!;
      expect((await fetch(`${buyer.link}/config/${xray.id}.conf`)).status).toBe(404);
      expect((await fetch(`${shop}/s/${'x'.repeat(32)}/configs.zip`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});
