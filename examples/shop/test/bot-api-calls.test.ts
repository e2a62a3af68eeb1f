import { Agent, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, type ApiClientOptions, GrammyError, HttpError, InputFile } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directJsonCalls } from '../src/app/bot-api-calls.js';
import { botApiFetch } from '../src/app/bot-api-fetch.js';

/** Each request the server took: method, path, headers that grammY sets, and body. */
const seen: Array<{ method?: string; url?: string; type?: string; connection?: string; body: string }> = [];
/** Requests the server holds unanswered (`…/hold`), and whether each was closed by the client. */
const held: Array<Promise<void>> = [];

let server: Server;
let root: string;
const agent = new Agent({ keepAlive: true });
const fetch = botApiFetch(agent) as unknown as NonNullable<ApiClientOptions['fetch']>;

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.endsWith('/hold') === true) {
      held.push(new Promise((resolve) => res.on('close', () => resolve())));
      return;
    }
    void readBody(req).then((body) => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], connection: req.headers.connection, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.endsWith('/refuse') === true) return res.end('{"ok":false,"error_code":400,"description":"Bad Request: no"}');
      if (req.url?.endsWith('/garble') === true) return res.end('{"ok":');
      res.end(JSON.stringify({ ok: true, result: { echoed: body.startsWith('{') ? JSON.parse(body) : 'multipart' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  agent.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** grammY's client on `botApiFetch`, with or without the direct calls installed first. */
function apiFor(direct: boolean, options: ApiClientOptions = {}, envelope?: { send?: (payload: string) => void }): Api {
  const clientOptions: ApiClientOptions = { apiRoot: root, fetch, ...options };
  const api = new Api('T', clientOptions, envelope);
  if (direct) api.config.use(directJsonCalls('T', clientOptions));
  return api;
}

/** One client's outcome of a call (its value or error) and the requests it made. */
interface Run {
  outcome: { value?: unknown; error?: unknown };
  requests: typeof seen;
}

/** Calls `call` on grammY's own client, then on the direct one: [grammY's run, the direct run]. */
async function both(call: (api: Api) => Promise<unknown>, options: ApiClientOptions = {}): Promise<[Run, Run]> {
  const run = async (direct: boolean): Promise<Run> => {
    seen.length = 0;
    const outcome = await call(apiFor(direct, options)).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { outcome, requests: [...seen] };
  };
  const grammy = await run(false);
  return [grammy, await run(true)];
}

describe('directJsonCalls', () => {
  it("sends the request grammY's client sends (URL, headers, body with nulls left out) and answers the same", async () => {
    const [grammy, direct] = await both((api) =>
      api.raw.sendMessage({
        chat_id: 1,
        text: 'hi',
        reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'p:1' }]] },
        parse_mode: null as never,
      }),
    );
    expect(grammy.requests).toEqual([
      {
        method: 'POST',
        url: '/botT/sendMessage',
        type: 'application/json',
        connection: 'keep-alive',
        body: '{"chat_id":1,"text":"hi","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"p:1"}]]}}',
      },
    ]);
    expect(direct).toEqual(grammy);
  });

  it("fails as grammY's client does: a refusal is its GrammyError, an unreadable answer or no server its HttpError", async () => {
    /** Calls the method named `method` (the server answers by the path's last part). */
    const callNamed = (method: string) => (api: Api) =>
      (api.raw as unknown as Record<string, (p: object) => Promise<unknown>>)[method]!({ a: 1 });
    const [grammyRefused, directRefused] = await both(callNamed('refuse'));
    expect(grammyRefused.outcome.error).toBeInstanceOf(GrammyError);
    expect(directRefused).toEqual(grammyRefused);
    const [grammyGarbled, directGarbled] = await both(callNamed('garble'));
    const garbled = directGarbled.outcome.error as HttpError;
    expect(garbled).toBeInstanceOf(HttpError);
    expect(garbled.message).toBe("Network request for 'garble' failed!");
    expect(garbled.error).toBeInstanceOf(SyntaxError);
    expect(directGarbled.requests).toEqual(grammyGarbled.requests);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const nowhere = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const [grammyAway, directAway] = await both((api) => api.raw.sendMessage({ chat_id: 1, text: 'x' }), { apiRoot: nowhere });
    for (const away of [grammyAway, directAway]) {
      const error = away.outcome.error as HttpError;
      expect(error).toBeInstanceOf(HttpError);
      expect(error.message).toBe("Network request for 'sendMessage' failed!");
      // What the send policy reads: the connection was never made.
      expect((error.error as { code?: string }).code).toBe('ECONNREFUSED');
    }
  });

  it("gives up a call past timeoutSeconds with grammY's HttpError and closes its request", async () => {
    held.length = 0;
    const api = apiFor(true, { timeoutSeconds: 0.2 });
    const error = await (api.raw as unknown as Record<string, (p: object) => Promise<unknown>>)['hold']!({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toBe("Network request for 'hold' failed!");
    expect(((error as HttpError).error as Error).message).toBe("Request to 'hold' timed out after 0.2 seconds");
    await held[0];
  });

  it("leaves to grammY's client a file upload, a call with a signal, and a method that may ride on a webhook's reply", async () => {
    seen.length = 0;
    const api = apiFor(true);
    await api.sendDocument(1, new InputFile(Buffer.from('config'), 'wg.conf'));
    expect(seen[0]?.type).toMatch(/^multipart\/form-data; boundary=/);
    seen.length = 0;
    await api.getMe(AbortSignal.timeout(5_000) as Parameters<Api['getMe']>[0]);
    expect(seen.map((r) => r.url)).toEqual(['/botT/getMe']);

    // A button's answer rides on the update's reply, through grammY's client.
    let replied: string | undefined;
    const replying = apiFor(
      true,
      { canUseWebhookReply: (method) => method === 'answerCallbackQuery' },
      { send: (payload) => void (replied = payload) },
    );
    seen.length = 0;
    await replying.answerCallbackQuery('q1');
    expect(JSON.parse(replied ?? 'null')).toEqual({ callback_query_id: 'q1', method: 'answerCallbackQuery' });
    expect(seen).toEqual([]);
    await replying.sendMessage(1, 'after');
    expect(seen.map((r) => r.url)).toEqual(['/botT/sendMessage']);
  });

  it('leaves every call to grammY with a fetch of another kind', async () => {
    const calls: string[] = [];
    const other = ((url: string) => {
      calls.push(url);
      return Promise.resolve({ json: async () => ({ ok: true, result: true }) });
    }) as unknown as NonNullable<ApiClientOptions['fetch']>;
    const api = new Api('T', { apiRoot: root, fetch: other });
    api.config.use(directJsonCalls('T', { apiRoot: root, fetch: other }));
    await api.sendMessage(1, 'x');
    expect(calls).toEqual([`${root}/botT/sendMessage`]);
  });
});
