import type { Context } from 'grammy';

/**
 * What a registration can tell of an update without running anything: `cb:<action>` a button's data (`action` its
 * text before the first `:`, all of it when it has none), `cb` a callback query with no data (a game's), `cmd:<name>`
 * a message or channel post that opens with a bot command (`name` without its `@bot`), `msg` another message or
 * channel post, `other` any other update.
 */
export type UpdateKey = string;

/** Whether a registration can act on updates of a key; `false` must mean never (the bot then skips it unasked). */
export type KeyTest = (key: UpdateKey) => boolean;

/** The key of an update ({@link UpdateKey}). */
export function updateKey(update: Context['update']): UpdateKey {
  const query = update.callback_query;
  if (query !== undefined) {
    const data = query.data;
    if (data === undefined) return 'cb';
    const colon = data.indexOf(':');
    return `cb:${colon === -1 ? data : data.slice(0, colon)}`;
  }
  const msg = update.message ?? update.channel_post;
  if (msg === undefined) return 'other';
  // grammY's `command` reads the bot command entity at offset 0 of the text (or caption), and its name up to `@`.
  const entities = msg.entities ?? msg.caption_entities;
  const text = msg.text ?? msg.caption;
  if (entities === undefined || text === undefined) return 'msg';
  for (const entity of entities) {
    if (entity.type !== 'bot_command' || entity.offset !== 0) continue;
    const command = text.substring(1, entity.length);
    const at = command.indexOf('@');
    return `cmd:${at === -1 ? command : command.slice(0, at)}`;
  }
  return 'msg';
}

const isCallback = (key: UpdateKey): boolean => key.startsWith('cb');
const isMessage = (key: UpdateKey): boolean => key === 'msg' || key.startsWith('cmd:');

/** The keys a `callbackQuery(trigger)` can match: its data's actions (any button's when a pattern is not plain). */
export function callbackKeys(trigger: string | RegExp | ReadonlyArray<string | RegExp>): KeyTest {
  const actions: Array<(action: string) => boolean> = [];
  for (const one of Array.isArray(trigger) ? trigger : [trigger]) {
    if (typeof one === 'string') {
      const exact = actionOf(one);
      actions.push((action) => action === exact);
      continue;
    }
    const prefixes = literalPrefixes(one);
    if (prefixes === null) return (key) => key.startsWith('cb:');
    for (const prefix of prefixes) actions.push(actionsWithPrefix(prefix));
  }
  return (key) => key.startsWith('cb:') && actions.some((test) => test(key.slice(3)));
}

/** The keys an `on(query)` can match: by the queries' update kinds (`callback_query`, a message's, any other). */
export function queryKeys(query: string | readonly string[]): KeyTest {
  const kinds = new Set((typeof query === 'string' ? [query] : query).map((q) => kindOfQuery(q.split(':')[0] ?? '')));
  return (key) => kinds.has(isCallback(key) ? 'callback' : isMessage(key) ? 'message' : 'other');
}

/** The keys a `command(names)` can match. */
export function commandKeys(command: string | readonly string[]): KeyTest {
  const keys = new Set((typeof command === 'string' ? [command] : command).map((name) => `cmd:${name.split('@')[0]}`));
  return (key) => keys.has(key);
}

/** The keys a `hears(trigger)` can match: a message's or channel post's (their text or caption). */
export const textKeys: KeyTest = isMessage;

/** `callback_query`, a message's (`message`, `channel_post` and their shortcuts `''`, `msg`), or another update kind. */
function kindOfQuery(l1: string): 'callback' | 'message' | 'other' {
  if (l1 === 'callback_query') return 'callback';
  return l1 === '' || l1 === 'msg' || l1 === 'message' || l1 === 'channel_post' ? 'message' : 'other';
}

function actionOf(data: string): string {
  const colon = data.indexOf(':');
  return colon === -1 ? data : data.slice(0, colon);
}

/** The actions of every data starting with `prefix`: that one action when it holds a `:`, else those it begins. */
function actionsWithPrefix(prefix: string): (action: string) => boolean {
  const colon = prefix.indexOf(':');
  if (colon === -1) return (action) => action.startsWith(prefix);
  const exact = prefix.slice(0, colon);
  return (action) => action === exact;
}

const LITERAL_RUN = /^\^([A-Za-z0-9_:-]+)/;
const LITERAL_GROUP = /^\^\((?:\?:)?((?:[A-Za-z0-9_:-]+\$?\|)*[A-Za-z0-9_:-]+\$?)\)(?![?*+{])/;

/**
 * Texts one of which opens every string `pattern` matches, read from its source: `^lit…` or `^(a|b$|c:)…`; `null`
 * when it is not of those plain shapes (flags that change what `^` or a letter matches, an alternation outside a
 * group, a quantified literal), and the pattern is then tried on every button.
 */
export function literalPrefixes(pattern: RegExp): string[] | null {
  if (/[gimyv]/.test(pattern.flags)) return null;
  const source = pattern.source;
  if (hasTopLevelAlternation(source)) return null;
  const group = LITERAL_GROUP.exec(source);
  if (group !== null) return (group[1] ?? '').split('|').map((alternative) => alternative.replace(/\$$/, ''));
  const run = LITERAL_RUN.exec(source);
  if (run === null) return null;
  const quantified = /^[?*+{]/.test(source.slice(run[0].length));
  const literal = quantified ? (run[1] ?? '').slice(0, -1) : (run[1] ?? '');
  return literal === '' ? null : [literal];
}

function hasTopLevelAlternation(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}
