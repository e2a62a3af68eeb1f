/**
 * bench/rush's floor: the outside work of a lone purchase done by the barest code, in its own OS process, measured
 * beside the shop's replicas with the same per-step CPU accounting (`step-cpu.ts`; main.ts prints `lone buyer ÷ floor`).
 * A `node:http` server takes the same webhook updates (same bodies, same secret header) and answers each as the shop
 * does: a tap's `answerCallbackQuery` riding in the webhook's answer, every message a `sendMessage` to the bench's fake
 * Bot API; the plan is provisioned by one `addClient` on the bench's simulated 3x-ui panel (logged in once at start,
 * as the shop's session is kept). PostgreSQL through `pg` directly, one named statement a step (`floor-sql.ts` says
 * what each keeps); no framework, no validation beyond what routing needs, no logging.
 *
 * Configured by the environment main.ts gives it (`FLOOR_*`, and the shop's `DATABASE_URL`, `TELEGRAM_*`, `PUBLIC_URL`);
 * makes its tables in `FLOOR_SCHEMA` (main.ts drops it), sends `{ port }` over IPC once it listens, answers `{ cmd: 'counts' }` with the statements sent so far, and on
 * `{ cmd: 'stop' }` closes and exits.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { floorSchemaSql, floorStatements, type FloorStatement } from './floor-sql.js';

/** What the floor uses of `pg`'s pool. */
interface PgPool {
  query(text: string): Promise<unknown>;
  query(statement: { name: string; text: string; values: unknown[] }): Promise<{ rows: Array<Record<string, unknown>> }>;
  on(event: 'error', listener: () => void): unknown;
  end(): Promise<void>;
}
// The shop's `pg` (a bench module of the compiled tree finds packages through the shop's package, as `statement-count.ts`).
const pg = createRequire(new URL('../../examples/shop/package.json', import.meta.url))('pg') as {
  Pool: new (options: { connectionString: string; max: number }) => PgPool;
};

const env = (name: string) => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`the floor needs ${name}`);
  return value;
};
const SCHEMA = env('FLOOR_SCHEMA');
const SQL = floorStatements(SCHEMA);
const BOT_API = `${env('TELEGRAM_API_ROOT')}/bot${env('TELEGRAM_BOT_TOKEN')}`;
const WEBHOOK_SECRET = env('TELEGRAM_WEBHOOK_SECRET');
const PUBLIC_URL = env('PUBLIC_URL');
const PANEL = env('FLOOR_PANEL_URL');
const INBOUND = Number(env('FLOOR_INBOUND'));
const PLAN = env('FLOOR_PLAN');
const PRICE = Number(env('FLOOR_PRICE'));
const LEASE_MS = 60_000;
const TRAFFIC_BYTES = 50 * 1024 ** 3;
const DAY_MS = 86_400_000;

const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 10 });
pool.on('error', () => undefined);
await pool.query(floorSchemaSql(SCHEMA));
/** Statements sent, by name. */
const counts: Record<string, number> = {};
async function query(statement: FloorStatement, values: unknown[]): Promise<Array<Record<string, unknown>>> {
  counts[statement.name] = (counts[statement.name] ?? 0) + 1;
  return (await pool.query({ name: statement.name, text: statement.text, values })).rows;
}

/** Kept-alive connections to the fake Bot API and the panel, as the shop's clients keep them. */
const agent = new Agent({ keepAlive: true });

/** POSTs `body`; resolves with the answer's status, headers and text. */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  return new Promise((resolve, reject) => {
    const asked = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    asked.on('error', reject);
    asked.end(body);
  });
}

type Keyboard = Array<Array<{ text: string; callback_data: string }>>;
async function sendMessage(chatId: number, text: string, keyboard?: Keyboard): Promise<void> {
  const params =
    keyboard === undefined ? { chat_id: chatId, text } : { chat_id: chatId, text, reply_markup: { inline_keyboard: keyboard } };
  const answer = await post(`${BOT_API}/sendMessage`, JSON.stringify(params), { 'content-type': 'application/json' });
  if (answer.status !== 200) throw new Error(`sendMessage answered ${answer.status}`);
}

// The panel's session, opened once (the shop's adapter keeps its cookie the same way).
const login = await post(
  `${PANEL}login`,
  new URLSearchParams({ username: env('FLOOR_PANEL_USER'), password: env('FLOOR_PANEL_PASSWORD') }).toString(),
  {
    'content-type': 'application/x-www-form-urlencoded',
  },
);
const cookie = [login.headers['set-cookie'] ?? []]
  .flat()
  .map((c) => c.split(';')[0])
  .join('; ');
if (cookie === '') throw new Error(`the panel's login answered ${login.status} without a session`);

async function addClient(orderId: string, clientId: string): Promise<void> {
  const client = { id: clientId, email: `floor-${orderId}`, enable: true, totalGB: TRAFFIC_BYTES, expiryTime: Date.now() + 30 * DAY_MS };
  const body = JSON.stringify({ id: INBOUND, settings: JSON.stringify({ clients: [client] }) });
  const answer = await post(`${PANEL}panel/api/inbounds/addClient`, body, { 'content-type': 'application/json', cookie });
  if (answer.status !== 200 || !(JSON.parse(answer.text) as { success?: boolean }).success)
    throw new Error(`addClient: ${answer.status} ${answer.text.slice(0, 200)}`);
}

/** Provisioning, then the link message: each claimed by id under a lease, its outside call, then completed with the lease. */
async function runJobs(provisionJob: string): Promise<void> {
  const lease = randomUUID();
  const [claimed] = await query(SQL.claimJob, [provisionJob, lease, LEASE_MS]);
  if (claimed === undefined) return;
  const clientId = randomUUID();
  await addClient(String(claimed['order_id']), clientId);
  const [link] = await query(SQL.completeProvisioning, [provisionJob, lease, clientId, randomBytes(24).toString('base64url')]);
  if (link === undefined) return;
  const linkLease = randomUUID();
  const [message] = await query(SQL.claimJob, [link['id'], linkLease, LEASE_MS]);
  if (message === undefined) return;
  await sendMessage(Number(message['chat_id']), `Your subscription is ready: ${PLAN}\n${PUBLIC_URL}/s/${String(message['token'])}`);
  await query(SQL.completeJob, [link['id'], linkLease]);
}

interface Update {
  update_id: number;
  message?: { text?: string; chat: { id: number }; from: { id: number } };
  callback_query?: { id: string; data?: string; from: { id: number }; message?: { message_id: number; chat: { id: number } } };
}

const PLAN_KEY = 'floor-plan';

/** Handles one update; resolves with the webhook's answer body (a tap's `answerCallbackQuery`), or '' for none. */
async function handle(update: Update): Promise<string> {
  if (update.message !== undefined) {
    if (update.message.text !== '/start') return '';
    const [row] = await query(SQL.start, [update.update_id, update.message.from.id]);
    if (row?.['fresh'] === 1)
      await sendMessage(update.message.chat.id, 'Welcome! What would you like to do?', [[{ text: 'Buy a plan', callback_data: 'cat' }]]);
    return '';
  }
  const tap = update.callback_query;
  if (tap?.message === undefined) return '';
  const answer = JSON.stringify({ method: 'answerCallbackQuery', callback_query_id: tap.id });
  const chat = tap.message.chat.id;
  const data = tap.data ?? '';
  if (data.startsWith('b:')) {
    const key = `tg:${chat}:${tap.message.message_id}`;
    const [row] = await query(SQL.buy, [update.update_id, tap.from.id, PRICE, key, PLAN_KEY]);
    if (row?.['fresh'] !== 1) return answer;
    const job = row['job_id'];
    await sendMessage(chat, job === null ? 'Not enough in your wallet.' : 'Thank you! Your order is placed and paid.');
    if (job !== null) setImmediate(() => void runJobs(String(job)).catch((error: unknown) => console.error('floor jobs failed', error)));
    return answer;
  }
  const [row] = await query(SQL.tap, [update.update_id, tap.from.id]);
  if (row?.['fresh'] !== 1 || row['balance'] === null) return answer;
  if (data === 'cat') await sendMessage(chat, 'Choose a location:', [[{ text: 'Germany', callback_data: 'loc:0' }]]);
  else if (data === 'loc:0') await sendMessage(chat, 'Choose a plan:', [[{ text: PLAN, callback_data: `p:${PLAN_KEY}` }]]);
  else if (data.startsWith('p:'))
    await sendMessage(chat, `${PLAN}\nPrice: ${PRICE}\nWallet balance: ${String(row['balance'])}`, [
      [{ text: 'Buy from the wallet', callback_data: `b:${PLAN_KEY}` }],
    ]);
  return answer;
}

function serve(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.headers['x-telegram-bot-api-secret-token'] !== WEBHOOK_SECRET) return void res.writeHead(401).end();
    handle(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Update).then(
      (body) => (body === '' ? res.writeHead(200).end() : res.writeHead(200, { 'content-type': 'application/json' }).end(body)),
      (error: unknown) => {
        console.error('floor update failed', error);
        res.writeHead(500).end();
      },
    );
  });
}

const server = createServer(serve).listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'counts') process.send?.({ counts: { ...counts } });
  if (message.cmd !== 'stop') return;
  server.closeAllConnections();
  server.close();
  void pool.end().finally(() => process.exit(0));
});
