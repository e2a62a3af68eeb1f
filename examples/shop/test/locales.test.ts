/**
 * The catalogs (issue 48): every language carries the same messages with the same {placeholders}, each plural
 * message exactly the forms its language's rules choose, and no message the code never shows; the translator
 * picks Russian's three forms and Chinese's one by count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DYNAMIC_KEY_PREFIXES } from '../src/i18n/dynamic-keys.js';
import { formatDuration } from '../src/i18n/duration.js';
import { LOCALES, type Locale } from '../src/i18n/locales.js';
import { loadCatalog, pluralRules, translator } from '../src/i18n/translate.js';
import { noticeKeyOf } from '../src/http/notice.js';
import { renderNotification } from '../src/app/notifications/render.js';

const CATEGORIES = new Set(['zero', 'one', 'two', 'few', 'many', 'other']);

interface Message {
  /** A plural message's forms (`one` → "{count} день"); `null` for a plain one. */
  forms: Map<string, string> | null;
  text: string;
}

const LOCALES_DIR = resolve(import.meta.dirname, '../locales');

/**
 * A catalog as messages, read from its files: an object whose keys are all plural categories (with `other`) is one
 * plural message; any other object is a group (`evacuation.stays.other` is a reason, not a form).
 */
function messagesOf(locale: Locale): Map<string, Message> {
  const messages = new Map<string, Message>();
  const walk = (key: string, value: unknown) => {
    if (typeof value === 'string') return void messages.set(key, { forms: null, text: value });
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([k, v]) => CATEGORIES.has(k) && typeof v === 'string') && entries.some(([k]) => k === 'other'))
      return void messages.set(key, { forms: new Map(entries as Array<[string, string]>), text: '' });
    for (const [k, v] of entries) walk(`${key}.${k}`, v);
  };
  for (const file of readdirSync(join(LOCALES_DIR, locale)).filter((f) => f.endsWith('.json')))
    walk(file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(LOCALES_DIR, locale, file), 'utf8')));
  return messages;
}

const placeholders = (m: string) => [...m.matchAll(/\{(\w+)\}/g)].map((p) => p[1]).sort();
const english = messagesOf('en');

describe('every catalog', () => {
  it.each(LOCALES.filter((l) => l !== 'en'))('%s has exactly English’s messages, plural where English’s are', (locale) => {
    const own = messagesOf(locale);
    expect([...own.keys()].sort()).toEqual([...english.keys()].sort());
    const pluralMismatch = [...english].filter(([key, m]) => (m.forms === null) !== (own.get(key)?.forms === null)).map(([k]) => k);
    expect(pluralMismatch).toEqual([]);
  });

  it.each(LOCALES)('%s: each plural message carries exactly the forms its language’s rules choose', (locale) => {
    const categories = [...pluralRules(locale).resolvedOptions().pluralCategories].sort();
    const wrong = [...messagesOf(locale)]
      .filter(([, m]) => m.forms !== null && JSON.stringify([...(m.forms?.keys() ?? [])].sort()) !== JSON.stringify(categories))
      .map(([key, m]) => `${key}: ${[...(m.forms?.keys() ?? [])].sort().join('/')}`);
    expect(wrong).toEqual([]);
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('%s has English’s {placeholders} in every message and form', (locale) => {
    const own = messagesOf(locale);
    const wrong: string[] = [];
    for (const [key, m] of english) {
      const expected = placeholders(m.forms?.get('other') ?? m.text);
      const theirs = own.get(key);
      const texts = theirs?.forms ? [...theirs.forms.values()] : [theirs?.text ?? ''];
      for (const text of texts) if (JSON.stringify(placeholders(text)) !== JSON.stringify(expected)) wrong.push(`${key}: ${text}`);
    }
    expect(wrong).toEqual([]);
  });
});

// ---- which keys the code uses --------------------------------------------------------------------------------

const SRC = resolve(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [readFileSync(join(dir, entry.name), 'utf8')] : [],
  );
}

const code = sources(SRC).join('\n');
const areas = new Set(readdirSync(join(LOCALES_DIR, 'en')).map((f) => f.replace(/\.json$/, '')));

/** Every string in the code, as TypeScript reads it: literals, and the static heads of template strings. */
function stringsOf(text: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false));
  return found;
}
const strings = sources(SRC).flatMap(stringsOf);
const isKeyShaped = (s: string) => areas.has(s.split('.')[0] ?? '') && s.includes('.');

/** Every key the code names whole: string literals, and redirects' notices (`?done=<area>.<name>`). */
function keysNamedWhole(): Set<string> {
  const named = new Set<string>();
  for (const literal of strings) {
    named.add(literal);
    const notice = noticeKeyOf(literal);
    if (notice !== null) named.add(notice);
  }
  for (const m of code.matchAll(/done=([a-z][a-zA-Z]*\.[a-z_]+)(?=['"`&#])/g)) {
    const notice = noticeKeyOf(m[1] as string);
    if (notice !== null) named.add(notice);
  }
  return named;
}

/** The prefixes of keys the code builds: `t(\`area.group.${value}\`)`, `?done=area.name_${value}`, and `'area.group.'` constants. */
function builtPrefixes(): Set<string> {
  const built = new Set<string>();
  for (const m of code.matchAll(/`([a-z][a-zA-Z]*\.[\w.]*)\$\{/g)) if (isKeyShaped(m[1] as string)) built.add(m[1] as string);
  for (const m of code.matchAll(/done=([a-z][a-zA-Z]*)\.([a-z_]*)\$\{/g)) built.add(`${m[1]}.notices.${m[2]}`);
  for (const s of strings) if (/^[a-z][a-zA-Z]*\.[\w.]*[._]$/.test(s) && isKeyShaped(s)) built.add(s);
  return built;
}

describe('the catalogs and the code', () => {
  const named = keysNamedWhole();
  const built = builtPrefixes();
  const keys = [...english.keys()];

  it('carry no message the code never shows: each is named whole in src/ or starts with a listed built prefix', () => {
    const unused = keys.filter((key) => !named.has(key) && !DYNAMIC_KEY_PREFIXES.some((p) => key.startsWith(p)));
    expect(unused).toEqual([]);
  });

  it('list every prefix the code builds keys from (DYNAMIC_KEY_PREFIXES)', () => {
    const unlisted = [...built].filter((b) => !DYNAMIC_KEY_PREFIXES.some((p) => p.startsWith(b) || b.startsWith(p)));
    expect(unlisted).toEqual([]);
  });

  it('list only prefixes the code builds, each the start of some message', () => {
    const stale = DYNAMIC_KEY_PREFIXES.filter(
      (p) => ![...built].some((b) => p.startsWith(b) || b.startsWith(p)) || !keys.some((k) => k.startsWith(p)),
    );
    expect(stale).toEqual([]);
  });

  it('name no key a catalog lacks (a whole key in a t() call)', () => {
    const called = [...code.matchAll(/\bt\(\s*'([a-z][a-zA-Z]*\.[\w.]+)'/g)].map((m) => m[1] as string).filter(isKeyShaped);
    expect(called.length).toBeGreaterThan(100);
    expect(called.filter((key) => !english.has(key))).toEqual([]);
  });

  it('give every action the shop and the SDK audit a sentence (auditWords.actions), not its raw code', () => {
    const sdk = resolve(import.meta.dirname, '../../../packages/sdk/src');
    const audited = [code, ...sources(sdk).filter((text) => !text.includes("from 'vitest'"))].flatMap((text) =>
      [...text.matchAll(/\baction: '([a-z_]+\.[a-z_]+)'/g)].map((m) => m[1] as string),
    );
    expect(audited.length).toBeGreaterThan(30);
    expect([...new Set(audited)].filter((action) => !english.has(`auditWords.actions.${action}`))).toEqual([]);
  });
});

// ---- the translator ------------------------------------------------------------------------------------------

describe('translator', () => {
  it('chooses plural forms by count and writes numbers with the locale digits', () => {
    expect(translator('en')('plans.days', { count: 1 })).toBe('1 day');
    expect(translator('en')('plans.days', { count: 30 })).toBe('30 days');
    expect(translator('fa')('plans.days', { count: 30 })).toBe('۳۰ روز');
    expect(translator('en')('no.such.key')).toBe('no.such.key');
  });

  it('Russian: one/few/many at 1, 2, 5 and 21 days (21 takes "one"), also in durations and counted lines', () => {
    const ru = translator('ru');
    expect([1, 2, 5, 21].map((count) => ru('plans.days', { count }))).toEqual(['1 день', '2 дня', '5 дней', '21 день']);
    expect([1, 2, 5, 21].map((count) => ru('subscription.duration.hours', { count }))).toEqual(['1 час', '2 часа', '5 часов', '21 час']);
    expect([1, 2, 5, 11, 21].map((count) => ru('plans.devices', { count }))).toEqual([
      '1 устройство',
      '2 устройства',
      '5 устройств',
      '11 устройств',
      '21 устройство',
    ]);
    expect(formatDuration(2 * 86_400_000 + 5 * 3_600_000, ru)).toBe('2 дня и 5 часов');
    expect(formatDuration(21 * 86_400_000, ru)).toBe('21 день');
    expect(ru('adminOps.drift.remoteClients', { count: 22 })).toBe('На панели 22 клиента.');
    expect(ru('telegram.catalog.trial', { days: ru('plans.days', { count: 5 }) })).toBe('Пробный период (5 дней)');
  });

  it('Chinese: one form for every count, no plural endings', () => {
    const zh = translator('zh');
    expect([1, 2, 5, 21].map((count) => zh('plans.days', { count }))).toEqual(['1 天', '2 天', '5 天', '21 天']);
    expect(formatDuration(25 * 3_600_000 + 60_000, zh)).toBe('1 天 1 小时');
    expect(zh('security.totp.codesLeft', { count: 1 })).toBe('剩余 1 个恢复码。');
  });

  it('never writes "1 days": counted words in messages come from plural forms', () => {
    const en = translator('en');
    const day = en('plans.days', { count: 1 });
    expect(en('telegram.catalog.trial', { days: day })).toBe('Free trial (1 day)');
    expect(formatDuration(25 * 3_600_000 + 60_000, en)).toBe('1 day and 1 hour');
    expect(formatDuration(60_000, en)).toBe('1 minute');
    expect(formatDuration(2 * 86_400_000, translator('fa'))).toBe('۲ روز');
    expect(en('adminOps.drift.remoteClients', { count: 1 })).toBe('1 client on the panel.');
    expect(en('adminOps.subscriptions.waitsFirstUse', { days: day })).toBe('Starts on first use, then lasts 1 day');
    // No message outside a plural form puts a placeholder before a counted word.
    const counted = /\{\w+\} (days|hours|minutes|clients|devices)\b/;
    const offenders = [...loadCatalog('en')].filter(([key, message]) => !/\.(one|other)$/.test(key) && counted.test(message));
    expect(offenders.map(([key]) => key)).toEqual([]);
  });
});

// ---- notices and e-mails -----------------------------------------------------------------------------------

describe('notices in each language', () => {
  const options = (locale: Locale) => ({ locale, timeZone: 'Europe/Moscow', shopName: 'Shop' });
  const expiry = { plan: 'P', expiresAt: '2026-03-04T09:30:00.000Z', leadMs: 2 * 86_400_000 };

  it('say the span, the date and the amount in the reader’s words, digits and calendar', () => {
    const ru = renderNotification('expiry_soon', expiry, options('ru'));
    expect(ru.subject).toBe('P истекает через 2 дня');
    expect(ru.text).toContain('4 мар. 2026 г., 12:30');
    const zh = renderNotification('expiry_soon', expiry, options('zh'));
    expect(zh.subject).toBe('P 将在 2 天后到期');
    expect(zh.text).toContain('2026年3月4日 12:30');
    expect(renderNotification('expiry_soon', expiry, options('fa')).text).toMatch(/۱۴۰۴/); // Jalali, Persian digits
    const paid = { amount: 123_456, currency: 'USD' };
    expect(renderNotification('topup_credited', paid, options('ru')).subject).toMatch(/^1\s234,56\s\$ зачислено на ваш кошелёк$/);
    expect(renderNotification('topup_credited', paid, options('zh')).subject).toBe('$1,234.56 已存入你的钱包');
  });

  it('alert staff in STAFF_LOCALE’s language, signed by the shop', () => {
    const down = { panel: 'de-1', error: 'timeout' };
    expect(renderNotification('panel_down', down, options('ru')).text).toBe(
      'Панель de-1 перестала отвечать (timeout). Новые продажи её обходят, а её задачи ждут.\n\n— Shop',
    );
    expect(renderNotification('panel_down', down, options('zh')).subject).toBe('面板离线：de-1');
  });
});
