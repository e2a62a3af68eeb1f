/**
 * The README's walk, run as a developer runs it: each `curl` line of its "Run it" block in order, by a shell, the
 * placeholders (`cus_…`, `<token>`, `<redirectUrl>`, `pay_…`, `<admin token>`) filled with what the lines before
 * answered, against `npm run starter`'s process. Every line answers as its comment says, and the refund at the end
 * gives the money back.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cleanEnvironment } from '../../../scripts/test-support/packed-workspace.js';

const run = promisify(execFile);
const folder = fileURLToPath(new URL('..', import.meta.url));

/** The README's buyer walk: the shell block that sets `S`, one command per entry, comments and continuations undone. */
function walk(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map(([, text]) => text!).find((text) => text.startsWith('S='));
  if (block === undefined) throw new Error('the README has no walk (a sh block starting with S=)');
  return block
    .replace(/\s+#\s.*$/gm, '')
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.startsWith('curl '));
}

describe('the starter README’s walk', () => {
  it('does what it says, each line in order, the refund included', async () => {
    const child = spawn(process.execPath, ['--conditions=@panelkit/source', '--import', 'tsx', 'src/main.ts'], {
      cwd: folder,
      env: cleanEnvironment({ PORT: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    const [shop, adminToken] = await new Promise<[string, string]>((done, fail) => {
      const read = (chunk: Buffer) => {
        output += String(chunk);
        const found = /starter shop is running at (http:\S+) \(admin token: (\S+)\)/.exec(output);
        if (found) done([found[1]!, found[2]!]);
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      void exited.then((code) => fail(new Error(`it exited (${code}) while starting:\n${output}`)));
    });

    try {
      // What the lines answered so far, by the placeholder the README gives it.
      const given = new Map<string, string>([['<admin token>', adminToken]]);
      const payments: string[] = [];
      const answers: Array<{ command: string; status: number; body: string }> = [];
      for (const line of walk()) {
        let command = line;
        for (const placeholder of ['cus_…', '<token>', '<redirectUrl>', 'pay_…', '<admin token>']) {
          if (!command.includes(placeholder)) continue;
          expect(given.has(placeholder), `${line}: no line before it answered ${placeholder}`).toBe(true);
          command = command.replaceAll(placeholder, given.get(placeholder)!);
        }
        const { stdout } = await run('bash', ['-c', `${command} -w '\\n%{http_code}'`], { env: { ...process.env, S: shop } });
        const body = stdout.slice(0, stdout.lastIndexOf('\n'));
        const status = Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
        answers.push({ command: line, status, body });
        expect(status, `${line}\n${body}`).toBeLessThan(400);
        const json = body.startsWith('{') ? (JSON.parse(body) as Record<string, unknown>) : {};
        if (typeof json['id'] === 'string') given.set('cus_…', json['id']);
        if (typeof json['link'] === 'string') given.set('<token>', json['link'].split('/s/')[1]!);
        if (typeof json['redirectUrl'] === 'string') given.set('<redirectUrl>', json['redirectUrl']);
        if (typeof json['paymentId'] === 'string') {
          given.set('pay_…', json['paymentId']);
          payments.push(json['paymentId']);
        }
      }

      const customer = `${shop}/customers/${given.get('cus_…')}`;
      const refund = answers.find(({ command }) => command.includes('/refunds/'));
      expect(JSON.parse(refund!.body)).toMatchObject({ refundId: expect.any(String), replayed: false });
      // "once the refund job ran: no USD left", and the plan bought from the YooKassa top-up.
      let account = (await (await fetch(customer)).json()) as { balances: { amount: number; currency: string }[] };
      for (let i = 0; i < 300 && account.balances.some((b) => b.currency === 'USD' && b.amount !== 0); i++) {
        await new Promise((tick) => setTimeout(tick, 100));
        account = (await (await fetch(customer)).json()) as typeof account;
      }
      expect(account.balances.filter((b) => b.amount !== 0)).toEqual([]);
      // "a refund of the YooKassa top-up, spent on the plan, answers NOT_ELIGIBLE".
      const spent = await fetch(`${shop}/refunds/${payments[0]}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'idempotency-key': 'spent' },
      });
      expect(spent.status).toBe(409);
      expect(((await spent.json()) as { error: string }).error).toBe('NOT_ELIGIBLE');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});
