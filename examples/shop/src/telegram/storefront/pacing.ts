import type { Transformer } from 'grammy';
import { createSendPacer, type SendPacer } from '../send-pacer.js';

/** One pacer per bot in this process: Telegram's ~30 messages a second is each bot's own, not the shop's. */
const pacers = new Map<string, SendPacer>();

/** The Bot API methods that send a message to a chat (what Telegram's per-bot ceiling counts). */
const SENDS = /^(send|copy|forward)/;

/**
 * Paces the sends of bot `botId` (every client of that bot in this process shares its pacer, made by `make` the
 * first time); other calls pass at once.
 */
export function pacedPerBot(botId: string, make: () => SendPacer = () => createSendPacer()): Transformer {
  let pacer = pacers.get(botId);
  if (pacer === undefined) {
    pacer = make();
    pacers.set(botId, pacer);
  }
  const own = pacer;
  return async (call, method, payload, signal) => {
    if (SENDS.test(method)) await own.next();
    return call(method, payload, signal);
  };
}
