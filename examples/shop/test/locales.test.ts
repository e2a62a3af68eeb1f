import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/i18n/translate.js';

describe('locales', () => {
  it('English and Farsi have exactly the same keys, and the same {placeholders} in each message', () => {
    const en = loadCatalog('en');
    const fa = loadCatalog('fa');
    expect([...fa.keys()].sort()).toEqual([...en.keys()].sort());
    const placeholders = (m: string) => [...m.matchAll(/\{(\w+)\}/g)].map((p) => p[1]).sort();
    for (const [key, message] of en) expect({ key, p: placeholders(fa.get(key) as string) }).toEqual({ key, p: placeholders(message) });
  });
});

describe('translator', () => {
  it('chooses plural forms by count and writes numbers with the locale digits', async () => {
    const { translator } = await import('../src/i18n/translate.js');
    expect(translator('en')('plans.days', { count: 1 })).toBe('1 day');
    expect(translator('en')('plans.days', { count: 30 })).toBe('30 days');
    expect(translator('fa')('plans.days', { count: 30 })).toBe('۳۰ روز');
    expect(translator('en')('no.such.key')).toBe('no.such.key');
  });

  it('never writes "1 days": counted words in messages come from plural forms', async () => {
    const { translator } = await import('../src/i18n/translate.js');
    const { formatDuration } = await import('../src/i18n/duration.js');
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
