import { createHash } from 'node:crypto';
import type { Api } from 'grammy';
import type { BotCommand, BotCommandScope } from 'grammy/types';
import type { Logger } from 'pino';
import { LOCALES, translator, type Locale } from '../i18n/translate.js';
import { readSetting, writeSetting, type SettingsDb } from '../db/shop-settings.js';
import { classifySendError } from './send-policy.js';

/**
 * The commands every user may type (each has a handler: `buyer/start.ts`, `buyer/discount-code.ts`, `buyer/support.ts`,
 * `buyer/gifts.ts`).
 */
export const BUYER_COMMANDS = ['start', 'menu', 'code', 'support', 'gift'] as const;
/**
 * What staff may type besides (`admin/receipts.ts`, `admin/tickets.ts`, `admin/customers.ts`, `admin/broadcast.ts`, `admin/prompts.ts`):
 * offered only in the staff's chats. `/evacuate` (owners only, rare) works but is not offered.
 */
export const STAFF_COMMANDS = ['receipts', 'tickets', 'find', 'broadcast', 'cancel'] as const;

/** The shop setting that records the command lists last given to Telegram. */
const SETTING = 'telegram_commands';

/** One `setMyCommands` call: a scope, a language (none: every language without its own list), the commands. */
interface CommandList {
  scope: BotCommandScope;
  language_code?: Locale;
  commands: BotCommand[];
}

interface Recorded {
  hash: string;
  staffChats: string[];
}

function commandsIn(locale: Locale, names: readonly string[]): BotCommand[] {
  const t = translator(locale);
  return names.map((command) => ({ command, description: t(`telegram.commands.${command}`) }));
}

/**
 * The lists the bot should have: the buyer's commands for the default scope, and the buyer's and staff's in each
 * staff chat, each in every catalog language (English also as the list for languages without one).
 */
export function commandLists(staffChats: readonly string[]): CommandList[] {
  const lists: CommandList[] = [];
  const scopes: Array<{ scope: BotCommandScope; names: readonly string[] }> = [
    { scope: { type: 'default' }, names: BUYER_COMMANDS },
    ...staffChats.map((chat) => ({ scope: { type: 'chat' as const, chat_id: chat }, names: [...BUYER_COMMANDS, ...STAFF_COMMANDS] })),
  ];
  for (const { scope, names } of scopes) {
    lists.push({ scope, commands: commandsIn('en', names) });
    for (const locale of LOCALES) lists.push({ scope, language_code: locale, commands: commandsIn(locale, names) });
  }
  return lists;
}

/**
 * Gives Telegram the bot's command lists (`setMyCommands`) when they differ from those last given, judged by a hash
 * kept in the shop's settings: a restart or another replica with the same lists calls nothing. A staff chat no
 * longer listed loses its own lists (`deleteMyCommands`). A chat Telegram refuses (an admin who never opened the
 * bot) is skipped and the hash left unwritten, so the next start tries again. Returns whether the lists were sent.
 */
export async function syncBotCommands(shop: SettingsDb, api: Api, staffChats: readonly string[], at: Date, log: Logger): Promise<boolean> {
  const lists = commandLists(staffChats);
  const hash = createHash('sha256').update(JSON.stringify(lists)).digest('hex');
  const recorded = (await readSetting<Recorded, never>(shop, SETTING))?.value ?? null;
  if (recorded?.hash === hash) return false;
  let complete = true;
  const send = async (call: () => Promise<unknown>, chat: string | null) => {
    try {
      await call();
    } catch (error) {
      const failure = classifySendError(error);
      if (failure === null || chat === null || failure.kind !== 'refused') throw error;
      log.warn({ chat, reason: failure.reason }, 'Telegram refused a staff chat’s command list; tried again at the next start');
      complete = false;
    }
  };
  for (const list of lists) {
    const chat = list.scope.type === 'chat' ? String(list.scope.chat_id) : null;
    const options = { scope: list.scope, ...(list.language_code === undefined ? {} : { language_code: list.language_code }) };
    await send(() => api.setMyCommands(list.commands, options), chat);
  }
  for (const chat of recorded?.staffChats ?? []) {
    if (staffChats.includes(chat)) continue;
    const scope = { type: 'chat' as const, chat_id: chat };
    for (const language of [undefined, ...LOCALES])
      await send(() => api.deleteMyCommands({ scope, ...(language === undefined ? {} : { language_code: language }) }), chat);
  }
  if (complete) await writeSetting<Recorded, never>(shop, SETTING, { hash, staffChats: [...staffChats] }, null, at, null);
  return true;
}
