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
});
