import { describe, expect, it } from 'vitest';
import { goEncodeQuery, goFragmentEscape, goFragmentEscapeV3, goQueryEscape } from '../../src/xui/links/go-format.js';

/** Go's escaping as the byte walk does it (net/url `shouldEscape` for the two modes 3x-ui's links use). */
function reference(text: string, keep: string, spaceAsPlus: boolean): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (spaceAsPlus && byte === 0x20) out += '+';
    else if (/[A-Za-z0-9]/.test(char) || keep.includes(char)) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
const query = (text: string) => reference(text, '-_.~', true);
const fragment = (text: string) => reference(text, '-_.~$&+,/:;=?@!()*', false);

describe('Go escapes of link parts: texts left as they are and texts escaped', () => {
  const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
  const texts = [
    '',
    ...ascii,
    ...ascii.map((char) => `key-${char}-Z84J2IelR9ch3k8Vtl`),
    'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw',
    '/a1b2c3d4e5f6g7h',
    'Rush · 1 month · 50 GiB',
    'é',
    '\u{1F600}',
    '\uD800 lone surrogate',
  ];

  it('goQueryEscape and goFragmentEscape equal the byte walk for every ASCII character, alone and inside a text', () => {
    for (const text of texts) {
      expect(goQueryEscape(text), JSON.stringify(text)).toBe(query(text));
      expect(goFragmentEscape(text), JSON.stringify(text)).toBe(fragment(text));
      expect(goFragmentEscapeV3(text), JSON.stringify(text)).toBe(query(text).replaceAll('+', '%20'));
    }
  });

  it('goEncodeQuery escapes keys and values, sorted by key', () => {
    const params = new Map([
      ['type', 'tcp'],
      ['spx', '/a b'],
      ['pbk', 'Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw'],
    ]);
    expect(goEncodeQuery(params)).toBe('pbk=Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw&spx=%2Fa+b&type=tcp');
  });
});
