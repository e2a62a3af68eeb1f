import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type ConfigError } from '../src/config/config.js';
import { addressIndexOf, allBases, passwordResetUrl, referralUrl, shownBase, subscriptionLinkUrl } from '../src/config/public-addresses.js';

const SRC = join(import.meta.dirname, '..', 'src');
const BUILDER = 'config/public-addresses.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** How a module would build a public address by hand, or from the request. */
const HAND_BUILT = [
  /\}\/s\/\$\{/, // `${base}/s/${token}`
  /\}\/signup\?ref=/, // `${base}/signup?ref=…`
  /\}\/signup\?c=/, // `${base}/signup?c=…`: a campaign's web link
  /start=campaign_\$\{/, // `…?start=campaign_${slug}`: a campaign's bot link
  /\}\/reset-password\//, // `${base}/reset-password/…`
  /req\.protocol/,
  /publicUrls?\??(\[0\])?\.replace\(/, // trimming the setting by hand
  /(?<!isRetiredAddress\(shop\.config, )\breq\.(get\('host'\)|headers\.host|hostname)/, // the Host header, but for comparing it with the list
];

describe('the public addresses', () => {
  it('are built by one module: no other builds /s/, referral or reset links, or reads the Host to build one', () => {
    const offenders = sources(SRC)
      .map((path) => ({ file: relative(SRC, path), text: readFileSync(path, 'utf8') }))
      .filter(({ file }) => file !== BUILDER)
      .flatMap(({ file, text }) => HAND_BUILT.filter((p) => p.test(text)).map((p) => `${file}: ${p}`));
    expect(offenders).toEqual([]);
  });

  it('come from PUBLIC_URLS (the first shown) or PUBLIC_URL (a list of one), trimmed alike', () => {
    const many = loadConfig({ PUBLIC_URLS: ' https://a.example.com/ , https://b.example.net/vpn/' });
    expect(many.publicUrls).toEqual(['https://a.example.com', 'https://b.example.net/vpn']);
    expect(many.publicUrl).toBe('https://a.example.com');
    expect(many.secureCookies).toBe(true);
    expect(allBases(many)).toEqual(many.publicUrls);
    expect(subscriptionLinkUrl(many, 'tok')).toBe('https://a.example.com/s/tok');
    expect(subscriptionLinkUrl(many, 'tok', 'https://b.example.net/vpn')).toBe('https://b.example.net/vpn/s/tok');
    expect(referralUrl(many, 'cus_1')).toBe('https://a.example.com/signup?ref=cus_1');
    expect(passwordResetUrl(many, 'r1')).toBe('https://a.example.com/reset-password/r1');
    expect(addressIndexOf(many, 'B.example.net')).toBe(1);
    expect(addressIndexOf(many, 'evil.example')).toBe(-1);
    const one = loadConfig({ PUBLIC_URL: 'https://a.example.com/' });
    expect(one.publicUrls).toEqual(['https://a.example.com']);
    expect(subscriptionLinkUrl(one, 'tok')).toBe('https://a.example.com/s/tok');
  });

  it('fall back to the listen address for links, never for a reset link', () => {
    const local = loadConfig({ PORT: '8080', HOST: '0.0.0.0' });
    expect(shownBase(local)).toBe('http://127.0.0.1:8080');
    expect(passwordResetUrl(local, 'r1')).toBeNull();
  });

  it('refuse bad, repeated or doubly set addresses at start-up, naming the variable', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ PUBLIC_URLS: 'https://a.example.com,ftp://b.example' })).toEqual([
      'PUBLIC_URLS: "ftp://b.example" is not an http(s) address like https://shop.example.com (no query, no #)',
    ]);
    expect(problems({ PUBLIC_URLS: 'https://a.example.com,https://a.example.com/' })).toEqual([
      'PUBLIC_URLS: https://a.example.com is listed twice',
    ]);
    expect(problems({ PUBLIC_URLS: 'https://a.example.com?x=1' })[0]).toMatch(/^PUBLIC_URLS: /);
    expect(problems({ PUBLIC_URLS: 'https://a.example.com', PUBLIC_URL: 'https://a.example.com' })).toEqual([
      'PUBLIC_URLS and PUBLIC_URL: set one of them (PUBLIC_URL is a list of one address)',
    ]);
  });
});
