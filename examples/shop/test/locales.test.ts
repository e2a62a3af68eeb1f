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
