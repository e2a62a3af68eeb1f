import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update } from 'grammy/types';

/** One Bot API call the bot made, as the fake server understood it. */
export interface BotCall {
  method: string;
  /** The call's parameters (JSON, or the fields of a multipart upload; `reply_markup` parsed). */
  params: Record<string, unknown>;
  /** An uploaded file (`sendPhoto` with an `InputFile`): its name, type and bytes. */
  upload?: { field: string; filename: string; type: string; bytes: Buffer };
  /** The token of the bot that made it (the fake serves several bots: {@link FakeTelegram.addBot}). */
  token?: string;
  /** Whether the fake answered it (false: a scripted failure). */
  ok: boolean;
  /** What the fake answered (for `sendMessage`/`sendPhoto`, the message with its id). */
  result: unknown;
}

/** A failure to answer the next calls of one method with (a 429 with `retry_after`, a 403…). */
export interface ScriptedFailure {
  code: number;
  description: string;
  retryAfter?: number;
}

/** How a held call ends: answered, refused with a failure, or its connection dropped. */
type HoldOutcome = 'answer' | 'hangUp' | ScriptedFailure;

const BOT_USER = {
  id: 777000111,
  is_bot: true,
  first_name: 'Test shop bot',
  username: 'panelkit_test_bot',
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};

/**
 * A fake Telegram Bot API on 127.0.0.1: records every call the bot makes and feeds it updates
 * through `getUpdates` long polling (`push`). Point grammY's `client.apiRoot` at `apiRoot`.
 */
export class FakeTelegram {
  readonly token = '123456789:TEST-fake-telegram-token_abcdefgh';
  readonly calls: BotCall[] = [];
  private readonly queue: Update[] = [];
  private readonly waiting = new Set<() => void>();
  private readonly failures = new Map<string, ScriptedFailure[]>();
  private readonly holds = new Map<string, Array<{ arrive(): void; released: Promise<HoldOutcome> }>>();
  /** The bot's command lists, by scope and language (`setMyCommands`), as Telegram keeps them. */
  private readonly commandLists = new Map<string, unknown[]>();
  /** The menu buttons (`setChatMenuButton`), by chat (`''`: the default), as Telegram keeps them. */
  private readonly menuButtons = new Map<string, unknown>();
  private nextMessageId = 1000;
  private nextUpdateId = 1;
  private nextCharge = 1;
  /** Invoices the bot made (`sendInvoice`, `createInvoiceLink`), by payload: what Telegram would charge for each. */
  readonly invoices = new Map<string, { currency: string; totalAmount: number; link: string | null }>();
  /** Stars charges Telegram made, by `telegram_payment_charge_id`: who paid, what, and whether it went back. */
  readonly charges = new Map<string, { userId: number; payload: string; totalAmount: number; refunded: boolean }>();
  /** The `allowed_updates` the bot last gave `getUpdates` (Telegram keeps them until given others). */
  private allowedUpdates: string[] | undefined;
  /**
   * Channel memberships `getChatMember` answers from, by chat (`@name` or id) then user id: a chat not here is one the
   * bot is not an administrator of (Telegram refuses "member list is inaccessible"); a user not listed has `left`.
   */
  readonly channelMembers = new Map<string, Map<number, { status: string; is_member?: boolean }>>();
  /** Every bot the fake serves, by token: the shop's own, and those {@link addBot} added (a storefront's). */
  private readonly bots = new Map<string, typeof BOT_USER>([[this.token, BOT_USER]]);
  /** While true, every Bot API call but `getUpdates` answers 502 (Telegram unreachable). */
  down = false;
  /** The webhook URL each storefront bot's token was given (`setWebhook`), as `getWebhookInfo` answers it. */
  readonly webhooks = new Map<string, string>();

  private constructor(
    private readonly server: Server,
    readonly apiRoot: string,
  ) {}

  static async start(): Promise<FakeTelegram> {
    let fake: FakeTelegram | undefined;
    const server = createServer((req, res) => void (fake as FakeTelegram).handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new FakeTelegram(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return fake;
  }

  /** Adds a bot the fake answers for (another storefront's): its token, which `getMe` answers with this id and username. */
  addBot(id: number, username: string): string {
    const token = `${id}:TEST-storefront-bot-token-${username}`;
    this.bots.set(token, { ...BOT_USER, id, username, first_name: username });
    return token;
  }

  /** The calls bot `token` made after the first `since`, optionally of one method. */
  callsOf(token: string, since = 0, method?: string): BotCall[] {
    return this.callsSince(since, method).filter((c) => (c.token ?? this.token) === token);
  }

  /** A fresh update id (update ids only grow, as Telegram's do). */
  updateId(): number {
    return this.nextUpdateId++;
  }

  /** Queues an update for the bot's next `getUpdates` (the same update pushed twice is a redelivery). */
  push(update: Update): void {
    this.queue.push(update);
    for (const wake of this.waiting) wake();
  }

  /** The next `count` calls of `method` fail with this error. */
  failNext(method: string, failure: ScriptedFailure, count = 1): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array.from({ length: count }, () => failure)]);
  }

  /** The next `count` calls of `method` by bot `token` only (another bot's are answered) fail with this error. */
  failNextOf(token: string, method: string, failure: ScriptedFailure, count = 1): void {
    this.failNext(`${token} ${method}`, failure, count);
  }

  /** Calls of `method` fail no more (what `failNext` queued and was not used up is dropped). */
  stopFailing(method: string): void {
    this.failures.delete(method);
  }

  /**
   * Holds the next call of `method` (each call of `holdNext` holds one more): `arrived` resolves when it comes in, and
   * it waits for `release` to be answered as any other call, refused with a failure, or, with `hangUp`, to have its
   * connection dropped with no answer (the bot sees "socket hang up": it cannot know whether the call took effect).
   */
  holdNext(method: string): { arrived: Promise<void>; release(how?: 'answer' | 'hangUp' | ScriptedFailure): void } {
    let arrive = () => {};
    let release: (how: HoldOutcome) => void = () => {};
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<HoldOutcome>((resolve) => (release = resolve));
    this.holds.set(method, [...(this.holds.get(method) ?? []), { arrive, released }]);
    return { arrived, release: (how = 'answer') => release(how) };
  }

  /** Calls made after the first `since`, optionally of one method. */
  callsSince(since: number, method?: string): BotCall[] {
    return this.calls.slice(since).filter((c) => method === undefined || c.method === method);
  }

  /** Waits (up to 10 s) for a call made after the first `since` that matches; fails the test with what was seen otherwise. */
  async waitFor(since: number, match: (call: BotCall) => boolean, what = 'a matching call'): Promise<BotCall> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = this.calls.slice(since).find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        const seen = this.calls.slice(since).map((c) => `${c.method} ${JSON.stringify(c.params).slice(0, 200)}`);
        throw new Error(`the bot made no ${what}; calls since ${since}:\n${seen.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  /**
   * Waits (up to 10 s) until the bot polls again with nothing queued for it: a polling bot (grammY's) handles a batch
   * of updates to its end before it asks for the next, so every message it sends for what was pushed so far was sent.
   */
  async polledAgain(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(this.queue.length === 0 && this.waiting.size > 0)) {
      if (Date.now() > deadline) throw new Error('the bot did not poll again within 10 s');
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async close(): Promise<void> {
    for (const wake of this.waiting) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Files users sent, by `file_id`: what `getFile` and the file URL serve. */
  readonly files = new Map<string, { bytes: Buffer; path: string }>();

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url ?? '');
    if (download !== null) {
      const file = download[1] === this.token ? [...this.files.values()].find((f) => f.path === download[2]) : undefined;
      if (file === undefined) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file.bytes);
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = (status: number, body: unknown) => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (match === null || !this.bots.has(match[1] as string)) return answer(404, { ok: false, error_code: 404, description: 'Not Found' });
    const method = match[2] as string;
    const bot = match[1] === this.token ? {} : { token: match[1] as string };
    const { params, upload } = await parseBody(req, Buffer.concat(chunks));
    if (method === 'getUpdates') return this.getUpdates(params, res, answer);
    const hold = this.holds.get(method)?.shift();
    hold?.arrive();
    const held = await hold?.released;
    if (held === 'hangUp') {
      this.calls.push({ method, params, ...bot, ok: false, result: { hungUp: true } });
      return void req.socket.destroy();
    }
    const failure = this.down
      ? { code: 502, description: 'Bad Gateway' }
      : typeof held === 'object'
        ? held
        : (this.failures.get(`${match[1]} ${method}`)?.shift() ?? this.failures.get(method)?.shift() ?? this.refusalOf(method, params));
    if (failure !== undefined) {
      this.calls.push({
        method,
        params,
        ...bot,
        ...(upload === undefined ? {} : { upload }),
        ok: false,
        result: { error_code: failure.code },
      });
      const parameters = failure.retryAfter === undefined ? {} : { parameters: { retry_after: failure.retryAfter } };
      return answer(failure.code, { ok: false, error_code: failure.code, description: failure.description, ...parameters });
    }
    const token = match[1] as string;
    // A storefront's bot keeps the webhook it was given (the owner's bot answers as before: none set).
    if (method === 'setWebhook' && token !== this.token) this.webhooks.set(token, String(params['url'] ?? ''));
    const result =
      method === 'getMe'
        ? this.bots.get(token)
        : method === 'getWebhookInfo' && token !== this.token
          ? { url: this.webhooks.get(token) ?? '', has_custom_certificate: false, pending_update_count: 0 }
          : this.resultOf(method, params);
    this.calls.push({ method, params, ...bot, ...(upload === undefined ? {} : { upload }), ok: true, result });
    answer(200, { ok: true, result });
  }

  private getUpdates(params: Record<string, unknown>, res: ServerResponse, answer: (status: number, body: unknown) => void): void {
    const timeoutS = typeof params['timeout'] === 'number' ? params['timeout'] : Number(params['timeout'] ?? 0);
    const deliver = () => {
      clearTimeout(timer);
      this.waiting.delete(deliver);
      // As Telegram does, a pre-checkout query goes only to a bot that asked for it in `allowed_updates` (the other
      // kinds the tests push are delivered whatever the bot asked, as before).
      const allowed = (this.allowedUpdates = allowedUpdatesOf(params) ?? this.allowedUpdates);
      const updates = this.queue
        .splice(0)
        .filter((u) => u.pre_checkout_query === undefined || allowed?.includes('pre_checkout_query') !== false);
      answer(200, { ok: true, result: updates });
    };
    const timer = setTimeout(deliver, Math.min(timeoutS, 30) * 1000);
    res.once('close', () => {
      clearTimeout(timer);
      this.waiting.delete(deliver);
    });
    if (this.queue.length > 0 || timeoutS <= 0) return deliver();
    this.waiting.add(deliver);
  }

  /**
   * Charges a Stars invoice the bot made, as Telegram does once the pre-checkout query was answered yes:
   * returns the charge's id, for the `successful_payment` message(s) Telegram then delivers.
   */
  charge(userId: number, payload: string): { chargeId: string; totalAmount: number; currency: string } {
    const invoice = this.invoices.get(payload);
    if (invoice === undefined) throw new Error(`the bot made no invoice with payload ${payload}`);
    const chargeId = `stxFakeCharge${this.nextCharge++}_${userId}`;
    this.charges.set(chargeId, { userId, payload, totalAmount: invoice.totalAmount, refunded: false });
    return { chargeId, totalAmount: invoice.totalAmount, currency: invoice.currency };
  }

  /** Makes `userId`'s status in `chat` this (the bot becomes the chat's administrator: it may ask). */
  setChannelMember(chat: string, userId: number, status: string, isMember?: boolean): void {
    const members = this.channelMembers.get(chat) ?? new Map();
    members.set(userId, isMember === undefined ? { status } : { status, is_member: isMember });
    this.channelMembers.set(chat, members);
  }

  /**
   * Telegram's refusals: a button whose `url` is not http(s) or tg (`InlineKeyboardButton`), anywhere; `getChatMember`
   * in a chat the bot does not administer; a refund of an unknown charge, or of one refunded already.
   */
  private refusalOf(method: string, params: Record<string, unknown>): ScriptedFailure | undefined {
    const markup = typeof params['reply_markup'] === 'string' ? JSON.parse(params['reply_markup']) : params['reply_markup'];
    const urls = ((markup as { inline_keyboard?: Array<Array<{ url?: string }>> } | undefined)?.inline_keyboard ?? []).flat();
    if (urls.some((b) => b.url !== undefined && !/^(https?|tg):\/\//i.test(b.url)))
      return { code: 400, description: 'Bad Request: BUTTON_URL_INVALID' };
    if (method === 'getChatMember' && !this.channelMembers.has(String(params['chat_id'])))
      return { code: 400, description: 'Bad Request: member list is inaccessible' };
    if (method !== 'refundStarPayment') return undefined;
    const charge = this.charges.get(String(params['telegram_payment_charge_id']));
    if (charge === undefined || charge.userId !== Number(params['user_id']))
      return { code: 400, description: 'Bad Request: CHARGE_NOT_FOUND' };
    if (charge.refunded) return { code: 400, description: 'Bad Request: CHARGE_ALREADY_REFUNDED' };
    return undefined;
  }

  private invoiceOf(params: Record<string, unknown>, link: string | null): { title: string; currency: string; total_amount: number } {
    const prices = (typeof params['prices'] === 'string' ? JSON.parse(params['prices']) : params['prices']) as Array<{ amount: number }>;
    const totalAmount = prices.reduce((sum, p) => sum + p.amount, 0);
    const currency = String(params['currency']);
    this.invoices.set(String(params['payload']), { currency, totalAmount, link });
    return { title: String(params['title']), currency, total_amount: totalAmount };
  }

  private resultOf(method: string, params: Record<string, unknown>): unknown {
    const chat = { id: Number(params['chat_id']), type: 'private' };
    const date = Math.floor(Date.now() / 1000);
    switch (method) {
      case 'getMe':
        return BOT_USER;
      case 'sendMessage':
        return { message_id: this.nextMessageId++, date, chat, from: BOT_USER, text: params['text'] };
      case 'sendPhoto':
        return {
          message_id: this.nextMessageId++,
          date,
          chat,
          from: BOT_USER,
          photo: [{ file_id: 'sent-photo', file_unique_id: 'u', width: 512, height: 512 }],
          caption: params['caption'],
        };
      case 'sendDocument':
        return {
          message_id: this.nextMessageId++,
          date,
          chat,
          from: BOT_USER,
          document: { file_id: String(params['document']), file_unique_id: 'd', mime_type: 'image/png' },
          caption: params['caption'],
        };
      case 'getFile': {
        const id = String(params['file_id']);
        const file = this.files.get(id);
        if (file === undefined) return { file_id: id, file_unique_id: `${id}-u` };
        return { file_id: id, file_unique_id: `${id}-u`, file_size: file.bytes.length, file_path: file.path };
      }
      case 'setMyCommands':
        this.commandLists.set(commandListKey(params), (params['commands'] as unknown[] | undefined) ?? []);
        return true;
      case 'deleteMyCommands':
        this.commandLists.delete(commandListKey(params));
        return true;
      case 'getMyCommands':
        return this.commandLists.get(commandListKey(params)) ?? [];
      case 'setChatMenuButton':
        this.menuButtons.set(String(params['chat_id'] ?? ''), params['menu_button'] ?? { type: 'default' });
        return true;
      case 'getChatMenuButton':
        return this.menuButtons.get(String(params['chat_id'] ?? '')) ?? this.menuButtons.get('') ?? { type: 'commands' };
      case 'sendInvoice': {
        const invoice = this.invoiceOf(params, null);
        return {
          message_id: this.nextMessageId++,
          date,
          chat,
          from: BOT_USER,
          invoice: { ...invoice, description: params['description'], start_parameter: '' },
        };
      }
      case 'createInvoiceLink': {
        const link = `https://t.me/$fakeInvoice${this.nextMessageId++}`;
        this.invoiceOf(params, link);
        return link;
      }
      case 'refundStarPayment': {
        const charge = this.charges.get(String(params['telegram_payment_charge_id']));
        if (charge !== undefined) charge.refunded = true;
        return true;
      }
      case 'getChatMember': {
        const userId = Number(params['user_id']);
        const member = this.channelMembers.get(String(params['chat_id']))?.get(userId) ?? { status: 'left' };
        return { ...member, user: { id: userId, is_bot: false, first_name: 'User' } };
      }
      case 'getWebhookInfo':
        return { url: '', has_custom_certificate: false, pending_update_count: 0 };
      default:
        return true;
    }
  }
}

/** The `allowed_updates` a `getUpdates` call names (`undefined` when it names none: Telegram keeps the last ones). */
function allowedUpdatesOf(params: Record<string, unknown>): string[] | undefined {
  const raw = params['allowed_updates'];
  const list = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  return Array.isArray(list) ? list.map(String) : undefined;
}

/** One command list's place: its scope (default when none) and language (`''` for every language). */
function commandListKey(params: Record<string, unknown>): string {
  const scope = (params['scope'] as { type?: string; chat_id?: unknown } | undefined) ?? { type: 'default' };
  const chat = scope.chat_id === undefined ? '' : String(scope.chat_id);
  return `${scope.type ?? 'default'}:${chat}:${String(params['language_code'] ?? '')}`;
}

async function parseBody(req: IncomingMessage, body: Buffer): Promise<{ params: Record<string, unknown>; upload?: BotCall['upload'] }> {
  const type = req.headers['content-type'] ?? '';
  if (body.length === 0) return { params: {} };
  if (type.startsWith('application/json')) return { params: withMarkup(JSON.parse(body.toString('utf8')) as Record<string, unknown>) };
  if (!type.startsWith('multipart/form-data')) return { params: {} };
  const boundary = /boundary=([^;]+)/.exec(type)?.[1];
  if (boundary === undefined) return { params: {} };
  const params: Record<string, unknown> = {};
  let upload: BotCall['upload'];
  for (const part of multipartParts(body, boundary)) {
    if (part.filename === null) params[part.name] = part.body.toString('utf8');
    else upload = { field: part.name, filename: part.filename, type: part.type, bytes: part.body };
  }
  return { params: withMarkup(params), ...(upload === undefined ? {} : { upload }) };
}

function withMarkup(params: Record<string, unknown>): Record<string, unknown> {
  const markup = params['reply_markup'];
  return typeof markup === 'string' ? { ...params, reply_markup: JSON.parse(markup) as unknown } : params;
}

/** The inline buttons of a call's keyboard, in order. */
export function buttonsOf(call: BotCall): Array<{ text: string; callback_data?: string; url?: string }> {
  const markup = call.params['reply_markup'] as { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

/**
 * The parts of a multipart/form-data body. grammY writes `filename=` unquoted, which Node's
 * strict parser refuses (Telegram accepts it), so the fake reads parts the lenient way.
 */
function multipartParts(body: Buffer, boundary: string): Array<{ name: string; filename: string | null; type: string; body: Buffer }> {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const chunk = body.subarray(start + 2, next - 2); // skip the CRLF after the delimiter and before the next
    const split = chunk.indexOf('\r\n\r\n');
    const head = chunk.subarray(0, split).toString('utf8');
    const name = /name="([^"]+)"/i.exec(head)?.[1] ?? '';
    const filename = /filename=(?:"([^"]*)"|([^;\r\n]+))/i.exec(head);
    parts.push({
      name,
      filename: filename === null ? null : (filename[1] ?? filename[2] ?? '').trim(),
      type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim() ?? 'text/plain',
      body: Buffer.from(chunk.subarray(split + 4)),
    });
    at = next;
  }
  return parts;
}
