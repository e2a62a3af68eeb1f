/**
 * bench/statement-cpu/glue.ts: the JavaScript a statement costs this process without the socket: storage-postgres's
 * `sendStatement` (a named statement bound, no Describe, its rows by the booked decoder) beside node-postgres's own
 * named `Query` (Bind, Describe, Execute; its `Result` decodes the rows), both written through pg-protocol's
 * serializer to a connection that answers at once (a RowDescription when a Describe was written, one DataRow of 14
 * columns, CommandComplete, ReadyForQuery). What it leaves out is main.ts's: the socket's syscalls, pg-protocol's
 * parser, the client's event dispatch, the pool. CPU is `process.cpuUsage()` over `--n` runs, `--rounds` alternated.
 *
 *   node --conditions=@panelkit/source --import tsx bench/statement-cpu/glue.ts [--n 200000] [--rounds 5]
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import pg from 'pg';
// The driver's internals, not the package's API: what this measures is the glue itself.
import { pgQueryClass, type Submitter, sendStatement } from '../../packages/storage-postgres/src/drivers/pg-query.js';

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } },
});
const N = Number(args.n);
const ROUNDS = Number(args.rounds);

type Message = Record<string, unknown>;
/** pg-protocol's serializer, as node-postgres (its dependent) loads it. */
const { serialize } = createRequire(createRequire(import.meta.url).resolve('pg'))('pg-protocol') as {
  serialize: Record<'parse' | 'bind' | 'execute' | 'close' | 'describe', (message: Message) => Buffer>;
};

const names = ['id', 'state', 'type', 'priority', 'attempts', 'max_attempts', 'run_at', 'locked_by', 'lease_token'];
names.push('lease_expires_at', 'payload', 'serial_key', 'created_at', 'updated_at');
const types = [25, 25, 25, 23, 23, 23, 1184, 25, 25, 1184, 3802, 25, 1184, 1184];
const fields = names.map((name, i) => ({ name, tableID: 1, columnID: i + 1, dataTypeID: types[i], format: 'text' }));
const at = '2026-11-28 08:00:00.123456+00';
const payload = JSON.stringify({ subscriptionId: 'sub-1', note: 'x'.repeat(40) });
const row = ['job-1', 'queued', 'bench.a', '0', '3', '25', at, null, null, null, payload, null, at, at];

/** Something a query object is submitted to: a connection that writes real messages and answers at once. */
function instantServer(): Submitter {
  let described = false;
  let bytes = 0;
  const connection = {
    parsedStatements: {} as Record<string, string>,
    submittedNamedStatements: {} as Record<string, string>,
    stream: { cork() {}, uncork() {} },
    parse(message: Message) {
      bytes += serialize.parse(message).length;
      if (typeof message['name'] === 'string' && message['name'] !== '')
        connection.parsedStatements[message['name']] = String(message['text']);
    },
    bind: (message: Message) => void (bytes += serialize.bind(message).length),
    execute: (message: Message) => void (bytes += serialize.execute(message).length),
    close: (message: Message) => void (bytes += serialize.close(message).length),
    describe(message: Message) {
      described = true;
      bytes += serialize.describe(message).length;
    },
    sync: () => void (bytes += 5),
  };
  return {
    query(query, _values, callback) {
      const q = query as Record<string, (...a: unknown[]) => void> & { callback?: unknown };
      q.callback ??= callback;
      q['submit']!(connection);
      if (described) q['handleRowDescription']!({ fields });
      described = false;
      q['handleDataRow']!({ fields: row });
      q['handleCommandComplete']!({ text: 'SELECT 1' }, connection);
      q['handleReadyForQuery']!(connection);
      return bytes;
    },
  };
}

const Query = pgQueryClass(pg.Client)!;
const text = () => `SELECT * FROM "bench_statement_cpu".items WHERE id = $1`;
const storage = instantServer();
const floor = instantServer();
const ways: Record<string, (i: number) => Promise<unknown>> = {
  'fromPgPool (sendStatement)': (i) => sendStatement(Query, storage, text(), [`job-${i}`], { begin: false, preparedPerConnection: 256 }),
  'pg.Query named': (i) =>
    new Promise((resolve, reject) => {
      floor.query(new pg.Query({ name: 'bench_1', text: text(), values: [`job-${i}`] }), undefined, (error, answer) =>
        error ? reject(error) : resolve(answer),
      );
    }),
};
const cpu: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [way, run] of Object.entries(ways)) {
    const started = process.cpuUsage();
    for (let i = 0; i < N; i++) await run(i);
    const used = process.cpuUsage(started);
    (cpu[way] ??= []).push((used.user + used.system) / N);
  }
}
for (const [way, xs] of Object.entries(cpu)) {
  const median = [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`${way.padEnd(27)} ${median.toFixed(2)} µs a statement (rounds: ${xs.map((x) => x.toFixed(2)).join(' ')})`);
}
