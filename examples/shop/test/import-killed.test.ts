/**
 * An import killed midway (a real OS process, SIGKILL, on a real PostgreSQL) and run again: the second run
 * finishes it, and nothing is doubled: one customer, one opening balance, one subscription and one slot per old row.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { ManualClock } from '@panelkit/sdk/testing';
import { createPostgresStorage, fromPgPool, migrate } from '@panelkit/storage-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const DATABASE_URL = process.env['PANELKIT_TEST_DATABASE_URL'];
const BUYERS = 1200;
const CHILD = new URL('./support/import-child.ts', import.meta.url).pathname;

interface Progress {
  phase: string;
  done: number;
  total: number;
}

/** Starts the importing process; `lines` yields what it prints, one line at a time. */
function startImport(schema: string, panelId: string): { child: ChildProcess; lines: AsyncIterable<string>; exit: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    ['--conditions=@panelkit/source', '--import', 'tsx', CHILD, DATABASE_URL as string, schema, panelId, String(BUYERS)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines: createInterface({ input: child.stdout! }), exit };
}

describe.skipIf(DATABASE_URL === undefined || DATABASE_URL === '')('an import killed with SIGKILL midway', () => {
  const schema = `shop_killed_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it('finishes when run again, with every row once', { timeout: 240_000 }, async () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    await migrate(fromPgPool(pool), { schema, clock });
    const storage = createPostgresStorage({ client: fromPgPool(pool), schema, clock });
    const panel = await storage.panels.create({
      kind: 'fake',
      name: 'old',
      baseUrl: 'https://old.example.com/',
      credentials: { type: 'token', token: 't' },
    });
    const target = await storage.targets.create({ panelId: panel.id, remoteRef: '1', name: 'vless', protocol: 'vless', capacity: null });
    const count = async (sql: string) => Number((await pool.query(sql)).rows[0]?.n);

    // First run: killed as soon as the first chunk of services has committed.
    const first = startImport(schema, panel.id);
    const heard: Progress[] = [];
    for await (const line of first.lines) {
      const progress = JSON.parse(line) as Progress;
      heard.push(progress);
      if (progress.phase === 'services') {
        first.child.kill('SIGKILL');
        break;
      }
    }
    await first.exit;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(heard.map((p) => p.phase)).toEqual(['customers', 'customers', 'customers', 'plans', 'services']);
    const adoptedBefore = await count(`SELECT count(*)::int AS n FROM "${schema}".subscriptions`);
    expect(adoptedBefore).toBeGreaterThanOrEqual(500);
    expect(adoptedBefore).toBeLessThan(BUYERS);

    // Second run: finishes.
    const second = startImport(schema, panel.id);
    let report: { customers: Record<string, number>; balances: Record<string, number>; services: Record<string, number> } | undefined;
    for await (const line of second.lines) if (line.startsWith('REPORT ')) report = JSON.parse(line.slice('REPORT '.length));
    expect(await second.exit).toBe(0);
    expect(report?.customers).toEqual({ created: 0, exists: BUYERS, unmapped: 0 });
    expect(report?.balances).toMatchObject({ created: 0, exists: BUYERS, unmapped: 0, credited: 0 });
    expect(report?.services).toEqual({ created: BUYERS - adoptedBefore, exists: adoptedBefore, unmapped: 0 });

    // Nothing doubled, nothing lost.
    expect(await count(`SELECT count(*)::int AS n FROM "${schema}".customers`)).toBe(BUYERS);
    expect(await count(`SELECT count(*)::int AS n FROM "${schema}".subscriptions`)).toBe(BUYERS);
    expect(await count(`SELECT count(*)::int AS n FROM "${schema}".ledger_entries`)).toBe(BUYERS);
    expect(await count(`SELECT count(DISTINCT customer_id)::int AS n FROM "${schema}".ledger_entries`)).toBe(BUYERS);
    const expected = BUYERS * 1000 + (BUYERS * (BUYERS - 1)) / 2;
    expect(await count(`SELECT sum(amount)::bigint AS n FROM "${schema}".ledger_balances`)).toBe(expected);
    expect(await count(`SELECT sum(amount)::bigint AS n FROM "${schema}".ledger_entries`)).toBe(expected);
    expect((await storage.targets.get(target.id))?.allocated).toBe(BUYERS);
    const audited = (action: string) => count(`SELECT count(*)::int AS n FROM "${schema}".audit_events WHERE action = '${action}'`);
    expect(await audited('customer.imported')).toBe(BUYERS);
    expect(await audited('subscription.imported')).toBe(BUYERS);
    await storage.close();
  });
});
