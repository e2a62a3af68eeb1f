/**
 * `npm run starter` as a developer first meets it: one process, no settings, so an in-memory PGlite and the simulated
 * panel and gateways in the same process, the gateways notifying the shop's own address. A buyer tops up at YooKassa
 * and pays on the gateway's page, buys the plan, and reads the link; SIGTERM stops it cleanly.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanEnvironment } from '../../../scripts/test-support/packed-workspace.js';

const folder = fileURLToPath(new URL('..', import.meta.url));

async function post<T>(url: string, body: unknown, key?: string): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: key ? { 'idempotency-key': key } : {}, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('examples/starter on its own (npm run starter)', () => {
  it('sells on the simulated world in its own process and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--conditions=@panelkit/source', '--import', 'tsx', 'src/main.ts'], {
      cwd: folder,
      env: cleanEnvironment({ PORT: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    const shop = await new Promise<string>((done, fail) => {
      const read = (chunk: Buffer) => {
        output += String(chunk);
        const found = /starter shop is running at (http:\S+) \(admin token: \S+\)/.exec(output);
        if (found) done(found[1]!);
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      void exited.then((code) => fail(new Error(`it exited (${code}) while starting:\n${output}`)));
    });

    try {
      const buyer = await post<{ id: string; link: string }>(`${shop}/customers`, { email: 'buyer@example.com' });
      expect(buyer.link).toMatch(new RegExp(`^${shop}/s/[\\w-]{32}$`));
      const topUp = { provider: 'yookassa', amount: 50_000, currency: 'RUB' };
      const { paymentId, redirectUrl } = await post<{ paymentId: string; redirectUrl: string }>(
        `${shop}/customers/${buyer.id}/top-ups`,
        topUp,
        't',
      );
      // The buyer pays; the simulated YooKassa notifies the shop before it sends the buyer back.
      const paid = await fetch(redirectUrl, { method: 'POST', redirect: 'manual' });
      expect(paid.headers.get('location')).toBe(`${shop}/paid/${paymentId}`);
      const account = async () =>
        (await (await fetch(`${shop}/customers/${buyer.id}`)).json()) as { balances: unknown[]; subscriptions: { status: string }[] };
      expect((await account()).balances).toEqual([{ amount: 50_000, currency: 'RUB' }]);

      await post(`${shop}/customers/${buyer.id}/orders`, { planId: 'plan_monthly' }, 'o');
      let subscriptions = (await account()).subscriptions;
      for (let i = 0; i < 300 && subscriptions[0]?.status !== 'active'; i++) {
        await new Promise((tick) => setTimeout(tick, 100));
        subscriptions = (await account()).subscriptions;
      }
      expect(subscriptions.map((s) => s.status)).toEqual(['active']);
      const link = await fetch(buyer.link, { headers: { 'user-agent': 'v2rayNG/1.10.2' } });
      expect(Buffer.from(await link.text(), 'base64').toString('utf8')).toMatch(/^vless:\/\//m);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('starter shop stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
