/**
 * A fake Bot API for bench/broadcast that enforces Telegram's two broadcast limits: at most `perSecond`
 * messages in any one-second window for the bot, and one message a second to any one chat. A send over
 * either limit is answered as Telegram answers it: HTTP 429, `{ ok: false, error_code: 429, description:
 * 'Too Many Requests: retry after N', parameters: { retry_after: N } }`, N whole seconds. Every accepted
 * `sendMessage` is counted per chat with its time, so the bench can check each recipient got exactly one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake saw. */
export interface BotApiCounts {
  /** Accepted messages per chat id. */
  readonly perChat: Map<string, number>;
  /** When each accepted message was answered (`performance.now()` ms), in order. */
  readonly acceptedAt: number[];
  /** 429s answered because the bot's overall limit was full. */
  refusedOverall: number;
  /** 429s answered because the chat had a message less than a second ago. */
  refusedPerChat: number;
}

/** A running fake: its `apiRoot` for the shop's `TELEGRAM_API_ROOT`, its counts, and `close`. */
export interface RateLimitedBotApi {
  readonly apiRoot: string;
  readonly counts: BotApiCounts;
  close(): Promise<void>;
}

const WINDOW_MS = 1000;

/** Starts the fake on a free loopback port. */
export async function startRateLimitedBotApi(perSecond = 30): Promise<RateLimitedBotApi> {
  const counts: BotApiCounts = { perChat: new Map(), acceptedAt: [], refusedOverall: 0, refusedPerChat: 0 };
  /** Accepted sends of the last second (times), oldest first. */
  const window: number[] = [];
  const lastToChat = new Map<string, number>();

  const answer = (res: import('node:http').ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const tooMany = (res: import('node:http').ServerResponse, waitMs: number) => {
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    answer(res, 429, {
      ok: false,
      error_code: 429,
      description: `Too Many Requests: retry after ${retryAfter}`,
      parameters: { retry_after: retryAfter },
    });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').split('/').pop() ?? '';
      if (method !== 'sendMessage') return answer(res, 200, { ok: true, result: true });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { chat_id?: unknown };
      const chatId = String(body.chat_id);
      const now = performance.now();
      while (window.length > 0 && window[0]! <= now - WINDOW_MS) window.shift();
      if (window.length >= perSecond) {
        counts.refusedOverall++;
        return tooMany(res, window[0]! + WINDOW_MS - now);
      }
      const last = lastToChat.get(chatId);
      if (last !== undefined && now - last < WINDOW_MS) {
        counts.refusedPerChat++;
        return tooMany(res, last + WINDOW_MS - now);
      }
      window.push(now);
      lastToChat.set(chatId, now);
      counts.perChat.set(chatId, (counts.perChat.get(chatId) ?? 0) + 1);
      counts.acceptedAt.push(now);
      answer(res, 200, {
        ok: true,
        result: {
          message_id: counts.acceptedAt.length,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(chatId), type: 'private' },
          text: '',
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
