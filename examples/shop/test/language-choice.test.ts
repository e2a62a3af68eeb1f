/**
 * Which language a buyer reads (issue 48): Telegram's `language_code` and a browser's `Accept-Language` (with its
 * weights) map to the shop's languages; a language picked on the web is kept over the browser's; staff alerts follow
 * STAFF_LOCALE, which takes every language the shop has.
 */
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { localeOfAcceptLanguage, localeOfLanguageCode } from '../src/i18n/language-choice.js';
import { directionOf, LOCALE_TABLE, LOCALES } from '../src/i18n/locales.js';
import { translator } from '../src/i18n/translate.js';
import { startShop, type ShopUnderTest } from './support/shop-under-test.js';

describe('a language code (Telegram, a browser range) as the shop’s language', () => {
  it.each([
    ['ru', 'ru'],
    ['ru-RU', 'ru'],
    ['RU', 'ru'],
    ['zh', 'zh'],
    ['zh-hans', 'zh'],
    ['zh-CN', 'zh'],
    ['zh_CN', 'zh'],
    ['zh-Hant-TW', 'zh'],
    ['fa', 'fa'],
    ['fa-IR', 'fa'],
    ['en-US', 'en'],
    ['be', 'ru'],
    ['kk', 'ru'],
    ['uk', null],
    ['de', null],
    ['', null],
    [undefined, null],
    ['*', null],
  ] as const)('%s → %s', (code, locale) => {
    expect(localeOfLanguageCode(code)).toBe(locale);
  });
});

describe('Accept-Language', () => {
  it.each([
    ['ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7', 'ru'],
    ['de-DE,de;q=0.9,zh-CN;q=0.8,en;q=0.5', 'zh'],
    ['en;q=0.5, zh;q=0.9', 'zh'],
    ['ru;q=0, fa', 'fa'],
    ['fa;q=0.8, ru;q=0.8', 'fa'],
    ['de, *;q=0.1', null],
    ['uk-UA,uk;q=0.9', null],
    ['', null],
    ['garbage;;;,,', null],
  ] as const)('%s → %s', (header, locale) => {
    expect(localeOfAcceptLanguage(header)).toBe(locale);
  });
});

describe('the languages table', () => {
  it('has a catalog, a self-name and a direction for each language; only Farsi is right-to-left', () => {
    expect([...LOCALES]).toEqual(['en', 'fa', 'ru', 'zh']);
    expect(LOCALES.filter((l) => directionOf(l) === 'rtl')).toEqual(['fa']);
    for (const l of LOCALES) expect(translator(l)('nav.catalog')).not.toBe('nav.catalog');
    expect(LOCALE_TABLE.ru.name).toBe('Русский');
  });

  it('lets STAFF_LOCALE be any of them, and refuses others', () => {
    for (const l of LOCALES) expect(loadConfig({ STAFF_LOCALE: l }).notifications.staffLocale).toBe(l);
    expect(() => loadConfig({ STAFF_LOCALE: 'de' })).toThrow(/STAFF_LOCALE.*en, fa, ru, zh/);
  });
});

describe('the web’s language', () => {
  let t: ShopUnderTest;
  beforeAll(async () => {
    t = await startShop();
  });
  afterAll(() => t.close());

  const langOf = (text: string) => /<html lang="(\w+)" dir="(\w+)">/.exec(text)?.slice(1);

  it('follows the browser on a first visit, weights included', async () => {
    expect(langOf((await supertest(t.app).get('/').set('Accept-Language', 'ru-RU,ru;q=0.9,en;q=0.8').expect(200)).text)).toEqual([
      'ru',
      'ltr',
    ]);
    const zh = await supertest(t.app).get('/').set('Accept-Language', 'de;q=1, zh-CN;q=0.7, en;q=0.6').expect(200);
    expect(langOf(zh.text)).toEqual(['zh', 'ltr']);
    expect(zh.text).toContain(`>${translator('zh')('nav.signIn')}</a>`);
    expect(langOf((await supertest(t.app).get('/').set('Accept-Language', 'uk').expect(200)).text)).toEqual(['en', 'ltr']);
  });

  it('answers the JSON API in the caller’s language: its errors and the owner’s plan names', async () => {
    const refused = await supertest(t.app).get('/api/v1/subscriptions').set('Accept-Language', 'zh-CN').expect(401);
    expect(refused.body.error.message).toBe(translator('zh')('errors.signInFirst'));
    const plans = await supertest(t.app).get('/api/v1/plans').set('Accept-Language', 'ru').expect(200);
    expect(plans.body.items.map((p: { name: string }) => p.name)).toContain('Франкфурт · 1 месяц · 50 GiB');
  });

  it('offers every language, each named in itself, and keeps the one picked over the browser’s', async () => {
    const agent = supertest.agent(t.app);
    const home = await agent.get('/').set('Accept-Language', 'ru').expect(200);
    for (const l of LOCALES) expect(home.text).toContain(`hreflang="${l}" lang="${l}"`);
    expect(home.text).toContain(`>${LOCALE_TABLE.zh.name}</a>`);
    await agent.get('/lang/zh?next=/').expect(303);
    expect(langOf((await agent.get('/').set('Accept-Language', 'ru').expect(200)).text)).toEqual(['zh', 'ltr']);
    await agent.get('/lang/xx?next=/').expect(303);
    expect(langOf((await agent.get('/').set('Accept-Language', 'ru').expect(200)).text)).toEqual(['zh', 'ltr']);
  });
});
