/**
 * The delivery forms of parts that are not Xray users (docs/design/product-kinds-sdk.md §8): the WireGuard and
 * AmneziaWG `.conf` from the panels' `wireguard://` links, its file name, the zip of configs, a Telegram proxy's
 * two links, and the apps that read them. Each form is checked against what its reader accepts, written out here
 * from the reader's source: the WireGuard Android parser's known keys (`config/Interface.java`, `Peer.java`),
 * AmneziaVPN's `" = "` split and required keys (`importController.cpp`), amneziawg-go's ranges (`README.md`,
 * `device/uapi.go`), Telegram's three proxy parameters, and, where wireguard-tools is installed, `wg` itself.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@panelkit/sdk';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CLIENT_APPS } from '../src/client-apps.js';
import { configsZip, telegramProxyLinks, wireGuardConf, wireGuardConfName } from '../src/formats.js';
import { KIND_APPS, kindAppsFor } from '../src/index.js';

const enc = encodeURIComponent;
const key = () => randomBytes(32).toString('base64');
const PRIVATE = key();
const SERVER = key();
const PSK = key();

/** 3x-ui v3 `genWireguardLink`: sorted query, one IPv4 address without a prefix, a host name. */
const XUI = `wireguard://${enc(PRIVATE)}@wg.example.com:51820?address=10.0.0.2&dns=1.1.1.1&keepalive=25&mtu=1420&publickey=${enc(SERVER)}#wg-alice`;
/** PasarGuard `_build_wireguard_components`: "/" before the query, both families, reserved, PSK, an IPv6 endpoint. */
const PASARGUARD = `wireguard://${enc(PRIVATE)}@[2001:db8::7]:51821/?publickey=${enc(SERVER)}&address=${enc('10.8.0.5/32,fd00::5/128')}&mtu=1380&allowedips=${enc('0.0.0.0/0,::/0')}&keepalive=0&reserved=${enc('1,2,3')}&dns=${enc('1.1.1.1,2606:4700:4700::1111')}&presharedkey=${enc(PSK)}#DE%20Frankfurt`;
/** PasarGuard's `amaziaWG` branch: the same link plus lower-case AmneziaWG keys (a 2.0 set: S3/S4, ranged H, I1). */
const AWG_PARAMS = 'jc=4&jmin=40&jmax=70&s1=15&s2=18&s3=20&s4=8&h1=1020325451&h2=3288052141-3288052200&h3=1766607858&h4=2211465377&i1=';
const AMNEZIA = `${PASARGUARD.replace('#', `&${AWG_PARAMS}${enc('<b 0xc700000001><r 16> <t><rc 8><rd 4>')}#`)}`;

/** WireGuard Android's known keys (`Interface.java`, `Peer.java` parse): anything else is `UNKNOWN_ATTRIBUTE`. */
const ANDROID_KEYS = {
  Interface: ['PrivateKey', 'Address', 'DNS', 'ListenPort', 'MTU', 'ExcludedApplications', 'IncludedApplications'],
  Peer: ['PublicKey', 'PresharedKey', 'AllowedIPs', 'Endpoint', 'PersistentKeepalive'],
} as const;

/** A conf's keys per section, read the way both apps read lines (`Key = Value`). */
function sections(conf: string): Record<string, Array<[string, string]>> {
  const out: Record<string, Array<[string, string]>> = {};
  let section = '';
  for (const line of conf.split('\n')) {
    if (line === '') continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header !== null) {
      section = header[1] as string;
      out[section] = [];
      continue;
    }
    // AmneziaVPN splits on exactly " = "; a line without it would be lost there.
    const at = line.indexOf(' = ');
    expect(at, line).toBeGreaterThan(0);
    out[section]?.push([line.slice(0, at), line.slice(at + 3)]);
  }
  return out;
}

/** The error `run` throws, which must be a `ValidationError`. */
function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('wireGuardConf', () => {
  it('writes a 3x-ui link as a conf: the address gets its prefix, the default AllowedIPs, the host name endpoint', () => {
    expect(wireGuardConf(XUI)).toBe(
      [
        '[Interface]',
        `PrivateKey = ${PRIVATE}`,
        'Address = 10.0.0.2/32',
        'DNS = 1.1.1.1',
        'MTU = 1420',
        '',
        '[Peer]',
        `PublicKey = ${SERVER}`,
        'AllowedIPs = 0.0.0.0/0, ::/0',
        'Endpoint = wg.example.com:51820',
        'PersistentKeepalive = 25',
        '',
      ].join('\n'),
    );
  });

  it('writes a PasarGuard link with both families, DNS, MTU and PSK, the IPv6 endpoint in brackets, and no Reserved', () => {
    expect(wireGuardConf(PASARGUARD)).toBe(
      [
        '[Interface]',
        `PrivateKey = ${PRIVATE}`,
        'Address = 10.8.0.5/32, fd00::5/128',
        'DNS = 1.1.1.1, 2606:4700:4700::1111',
        'MTU = 1380',
        '',
        '[Peer]',
        `PublicKey = ${SERVER}`,
        `PresharedKey = ${PSK}`,
        'AllowedIPs = 0.0.0.0/0, ::/0',
        'Endpoint = [2001:db8::7]:51821',
        '',
      ].join('\n'),
    );
  });

  it('gives a plain conf only the keys the WireGuard Android parser knows, even from a link with AmneziaWG keys', () => {
    for (const link of [XUI, PASARGUARD, AMNEZIA]) {
      const conf = sections(wireGuardConf(link));
      expect(Object.keys(conf)).toEqual(['Interface', 'Peer']);
      for (const [name, known] of Object.entries(ANDROID_KEYS))
        for (const [k] of conf[name] ?? []) expect(known as readonly string[], `${name}.${k}`).toContain(k);
    }
  });

  it('gives what AmneziaVPN requires (Endpoint, PrivateKey, Address, PublicKey), plain or AmneziaWG', () => {
    for (const amnezia of [false, true]) {
      const keys = Object.values(sections(wireGuardConf(AMNEZIA, { amnezia }))).flatMap((lines) => lines.map(([k]) => k));
      expect(keys).toEqual(expect.arrayContaining(['Endpoint', 'PrivateKey', 'Address', 'PublicKey']));
    }
  });

  it('adds the AmneziaWG keys under [Interface] in order, values as the link wrote them', () => {
    const conf = sections(wireGuardConf(AMNEZIA, { amnezia: true }));
    expect(conf.Interface?.slice(4)).toEqual([
      ['Jc', '4'],
      ['Jmin', '40'],
      ['Jmax', '70'],
      ['S1', '15'],
      ['S2', '18'],
      ['S3', '20'],
      ['S4', '8'],
      ['H1', '1020325451'],
      ['H2', '3288052141-3288052200'],
      ['H3', '1766607858'],
      ['H4', '2211465377'],
      ['I1', '<b 0xc700000001><r 16> <t><rc 8><rd 4>'],
    ]);
    expect(conf.Peer?.map(([k]) => k)).toEqual(['PublicKey', 'PresharedKey', 'AllowedIPs', 'Endpoint']);
    // A link without AmneziaWG keys makes the plain conf (AmneziaVPN adds its client-side junk itself).
    expect(wireGuardConf(PASARGUARD, { amnezia: true })).toBe(wireGuardConf(PASARGUARD));
  });

  it('refuses AmneziaWG values amneziawg-go would refuse, naming the key, and reads none of them for a plain conf', () => {
    const cases: ReadonlyArray<[string, string]> = [
      ['jc=0', 'Jc'],
      ['jc=129', 'Jc'],
      ['jc=-1', 'Jc'],
      ['jmin=70&jmax=40', 'Jmin'],
      ['jmin=40&jmax=40', 'Jmin'],
      ['jmax=1281', 'Jmax'],
      ['s1=1133', 'S1'],
      ['s2=1189', 'S2'],
      ['s1=10&s2=66', 'S2'],
      ['s3=65536', 'S3'],
      ['s4=1.5', 'S4'],
      ['h1=abc', 'H1'],
      ['h2=5-3', 'H2'],
      ['h3=4294967296', 'H3'],
      ['h4=1-2-3', 'H4'],
      // The value PasarGuard's branch test posts: not a tag chain.
      ['i1=some_mimic_data', 'I1'],
      [`i2=${enc('<b 0xZZ>')}`, 'I2'],
      [`i3=${enc('<b 0xabc>')}`, 'I3'],
      [`i4=${enc('<x 1>')}`, 'I4'],
      [`i5=${enc('<r 8')}`, 'I5'],
    ];
    for (const [query, name] of cases) {
      const link = XUI.replace('#', `&${query}#`);
      const error = refusal(() => wireGuardConf(link, { amnezia: true }));
      expect(error.message, query).toContain(`${name} `);
      expect(error.issues[0]?.path, query).toBe(name.toLowerCase());
      expect(wireGuardConf(link)).toBe(wireGuardConf(XUI));
    }
    // Accepted edges: Jc 1 and 128, Jmax 1280, S1 1132 with S2 1187, a one-value H, S3/S4 at 65535.
    const edges = XUI.replace('#', '&jc=128&jmin=0&jmax=1280&s1=1132&s2=1187&s3=65535&s4=65535&h1=4294967295#');
    expect(wireGuardConf(edges, { amnezia: true })).toContain('Jc = 128\nJmin = 0\nJmax = 1280\nS1 = 1132\nS2 = 1187\n');
  });

  it('refuses a link that is not a usable WireGuard link, and values that would add a line to the conf', () => {
    const good = XUI;
    const cases: ReadonlyArray<[string, string]> = [
      ['vless://6a1f0d2e-3b4c-4d5e-8f70-8192a3b4c5d6@h.example.com:443?type=tcp#x', 'scheme'],
      ['not a link', 'scheme'],
      [good.replace(/&publickey=[^#]+/, ''), 'publickey'],
      [good.replace('address=10.0.0.2&', ''), 'address'],
      [good.replace('address=10.0.0.2', 'address=10.0.0.300'), 'address'],
      [good.replace('address=10.0.0.2', 'address=10.0.0.2/33'), 'address'],
      [good.replace('address=10.0.0.2', `address=${enc('10.0.0.2\nPostUp = touch /tmp/x')}`), 'address'],
      [good.replace('dns=1.1.1.1', `dns=${enc('1.1.1.1\nPostUp = touch /tmp/x')}`), 'dns'],
      [good.replace('#', `&allowedips=${enc('0.0.0.0/0 x')}#`), 'allowedips'],
      [good.replace('mtu=1420', 'mtu=abc'), 'mtu'],
      [good.replace('keepalive=25', 'keepalive=70000'), 'keepalive'],
      [good.replace(enc(PRIVATE), 'short'), 'credential'],
    ];
    for (const [link, path] of cases) expect(refusal(() => wireGuardConf(link)).issues[0]?.path, link).toBe(path);
  });

  const wg = '/usr/bin/wg';
  const wgQuick = '/usr/bin/wg-quick';
  // `wg-quick strip` re-executes itself through sudo unless it runs as root.
  const why =
    !existsSync(wg) || !existsSync(wgQuick)
      ? 'wireguard-tools is not installed'
      : process.getuid?.() !== 0
        ? 'not root (wg-quick strip asks for sudo)'
        : null;
  it.skipIf(why !== null)(
    why === null
      ? 'passes wg-quick strip, and wg setconf parses what is left (it then fails only for want of the interface)'
      : `wg-quick strip / wg setconf check skipped: ${why}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'kind-formats-'));
      try {
        // IP endpoints only: wg resolves a host name while parsing, and this test must not need DNS.
        for (const link of [PASARGUARD, XUI.replace('wg.example.com', '203.0.113.9')]) {
          const file = join(dir, 'pkfeed0.conf');
          writeFileSync(file, wireGuardConf(link), { mode: 0o600 });
          const stripped = execFileSync(wgQuick, ['strip', file], { encoding: 'utf8' });
          expect(stripped).not.toMatch(/^(Address|DNS|MTU)\b/m);
          writeFileSync(join(dir, 'stripped.conf'), stripped, { mode: 0o600 });
          const set = spawnSync(wg, ['setconf', 'pkfeednone9', join(dir, 'stripped.conf')], { encoding: 'utf8' });
          expect(set.stderr).not.toMatch(/parsing error|unrecognized|not the correct/i);
          expect(set.stderr).toMatch(/Unable to modify interface/);
        }
        // The check can fail: an AmneziaWG key is a line wg does not know.
        writeFileSync(join(dir, 'awg.conf'), `[Interface]\nPrivateKey = ${PRIVATE}\nJc = 4\n`, { mode: 0o600 });
        expect(spawnSync(wg, ['setconf', 'pkfeednone9', join(dir, 'awg.conf')], { encoding: 'utf8' }).stderr).toMatch(/parsing error/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('wireGuardConfName', () => {
  it('keeps [A-Za-z0-9_.-], at most 15 characters before .conf (a wg-quick interface name), from the first usable label', () => {
    const cases: ReadonlyArray<[string[], string]> = [
      [['🇩🇪 Frankfurt #2'], 'Frankfurt_2.conf'],
      [['wg-alice'], 'wg-alice.conf'],
      [['Zürich'], 'Zurich.conf'],
      [['a-very-long-server-name'], 'a-very-long-ser.conf'],
      [['..hidden..'], 'hidden.conf'],
      [['Германия', 'de1.example.com'], 'de1.example.com.conf'],
      [['Германия', '🇩🇪'], 'wireguard.conf'],
      [[], 'wireguard.conf'],
    ];
    for (const [labels, name] of cases) {
      expect(wireGuardConfName(...labels), labels.join(' | ')).toBe(name);
      expect(name).toMatch(/^[A-Za-z0-9_.-]{1,15}\.conf$/);
    }
  });
});

/** The file names in a zip's central directory, read by hand (signature 0x02014b50, name length at +28, name at +46). */
function centralNames(zip: Uint8Array): string[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const names: string[] = [];
  for (let at = 0; at + 46 <= zip.length; at += 1) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const length = view.getUint16(at + 28, true);
    names.push(Buffer.from(zip.subarray(at + 46, at + 46 + length)).toString('utf8'));
    at += 45 + length;
  }
  return names;
}

describe('configsZip', () => {
  it('holds one .conf per file, in order, each text intact', () => {
    const files = [
      { name: 'Frankfurt.conf', text: wireGuardConf(XUI) },
      { name: 'Amsterdam', text: wireGuardConf(PASARGUARD) },
    ];
    const zip = configsZip(files);
    expect(centralNames(zip)).toEqual(['Frankfurt.conf', 'Amsterdam.conf']);
    const read = unzipSync(zip);
    expect(Object.fromEntries(Object.entries(read).map(([name, bytes]) => [name, strFromU8(bytes)]))).toEqual({
      'Frankfurt.conf': files[0]?.text,
      'Amsterdam.conf': files[1]?.text,
    });
  });

  it('gives a taken name (letter case aside) -2, -3 within 15 characters, and makes the same bytes for the same files', () => {
    const files = ['Frankfurt', 'frankfurt.conf', 'Frankfurt', 'a-very-long-server-name', 'a-very-long-server-name', '???'].map(
      (name, i) => ({ name, text: `# ${i}\n` }),
    );
    expect(centralNames(configsZip(files))).toEqual([
      'Frankfurt.conf',
      'frankfurt-2.conf',
      'Frankfurt-3.conf',
      'a-very-long-ser.conf',
      'a-very-long-s-2.conf',
      'wireguard.conf',
    ]);
    expect(configsZip(files)).toEqual(configsZip(files));
    expect(configsZip(files, { modified: new Date(2026, 0, 2) })).not.toEqual(configsZip(files));
    expect(centralNames(configsZip([]))).toEqual([]);
  });
});

describe('telegramProxyLinks', () => {
  const middle = '0123456789abcdef0123456789abcdef';
  const fakeTls = `ee${middle}${Buffer.from('www.cloudflare.com').toString('hex')}`;

  it('gives both forms, server, port, secret, from 3x-ui’s sorted tg:// link or a t.me one, the secret as written', () => {
    const expected = {
      tg: `tg://proxy?server=proxy.example.com&port=443&secret=${fakeTls}`,
      https: `https://t.me/proxy?server=proxy.example.com&port=443&secret=${fakeTls}`,
    };
    expect(telegramProxyLinks(`tg://proxy?port=443&secret=${fakeTls}&server=proxy.example.com`)).toEqual(expected);
    expect(telegramProxyLinks(`https://t.me/proxy?secret=${fakeTls}&server=proxy.example.com&port=443`)).toEqual(expected);
    // What Telegram reads back: the three parameters.
    for (const form of Object.values(expected))
      expect(Object.fromEntries(new URL(form).searchParams)).toEqual({ server: 'proxy.example.com', port: '443', secret: fakeTls });
  });

  it('accepts the dd, plain and base64url forms and an IP server', () => {
    const base64url = Buffer.from(fakeTls, 'hex').toString('base64url');
    for (const secret of [`dd${middle}`, middle, middle.toUpperCase(), base64url])
      expect(telegramProxyLinks(`tg://proxy?port=8443&secret=${secret}&server=203.0.113.5`).tg).toBe(
        `tg://proxy?server=203.0.113.5&port=8443&secret=${secret}`,
      );
    expect(telegramProxyLinks(`tg://proxy?port=443&secret=${middle}&server=2001:db8::5`).https).toBe(
      `https://t.me/proxy?server=2001%3Adb8%3A%3A5&port=443&secret=${middle}`,
    );
  });

  it('refuses another link, a bad server or port, and a secret of no known form, naming the parameter', () => {
    const link = (query: string) => `tg://proxy?${query}`;
    const ok = { port: '443', secret: fakeTls, server: 'proxy.example.com' };
    const query = (over: Partial<typeof ok>) => new URLSearchParams({ ...ok, ...over }).toString();
    const cases: ReadonlyArray<[string, string]> = [
      [`http://t.me/proxy?${query({})}`, 'link'],
      [`https://t.me/socks?${query({})}`, 'link'],
      [`tg://socks?${query({})}`, 'link'],
      [`vless://x@h:1?${query({})}`, 'link'],
      ['not a link', 'link'],
      [link(query({ server: '' })), 'server'],
      [link(query({ server: 'bad host!' })), 'server'],
      [link(query({ port: '0' })), 'port'],
      [link(query({ port: '70000' })), 'port'],
      [link(query({ port: '44x' })), 'port'],
      [link(query({ secret: '' })), 'secret'],
      [link(query({ secret: `ee${middle}` })), 'secret'],
      [link(query({ secret: `dd${middle.slice(4)}` })), 'secret'],
      [link(query({ secret: `dd${middle}00` })), 'secret'],
      [link(query({ secret: middle.slice(1) })), 'secret'],
      [link(query({ secret: `ee${middle}${Buffer.from('bad domain!').toString('hex')}` })), 'secret'],
      [link(query({ secret: `ff${middle}` })), 'secret'],
      [link(query({ secret: 'zz'.repeat(16) })), 'secret'],
    ];
    for (const [input, path] of cases) expect(refusal(() => telegramProxyLinks(input)).issues[0]?.path, input).toBe(path);
  });
});

describe('the apps for WireGuard, AmneziaWG and Telegram parts', () => {
  /** `[id, reads, kinds, import forms, the source the forms were checked against]`. */
  const TABLE: ReadonlyArray<[string, string, string[], string[], string]> = [
    ['wireguard', 'wireguard_config', ['wireguard'], ['conf_file', 'zip', 'conf_qr', 'conf_text'], 'wireguard-android TunnelImporter.kt'],
    ['amneziavpn', 'wireguard_config', ['wireguard', 'amneziawg'], ['conf_file', 'conf_text'], 'amnezia-client importController.cpp'],
    ['telegram', 'telegram_proxy', ['mtproto'], ['tg_link', 'https_link'], 'tdesktop#29720, #30004'],
  ];

  it('are each as their source reads them, and none is a subscription-link app', () => {
    expect(KIND_APPS.map((a) => [a.id, a.reads, a.kinds, a.imports])).toEqual(
      TABLE.map(([id, reads, kinds, forms]) => [id, reads, kinds, forms]),
    );
    const linkApps = new Set(CLIENT_APPS.map((a) => a.id));
    for (const app of KIND_APPS) {
      expect(linkApps.has(app.id), app.id).toBe(false);
      expect(app.getAt).toMatch(/^https:\/\//);
    }
  });

  it('offer an AmneziaWG part only AmneziaVPN: its conf has keys the official WireGuard app refuses', () => {
    expect(kindAppsFor('amneziawg').map((a) => a.id)).toEqual(['amneziavpn']);
    expect(kindAppsFor('wireguard', 'ios').map((a) => a.id)).toEqual(['wireguard', 'amneziavpn']);
    expect(kindAppsFor('mtproto').map((a) => a.id)).toEqual(['telegram']);
    const awgKeys = sections(wireGuardConf(AMNEZIA, { amnezia: true })).Interface?.map(([k]) => k) ?? [];
    expect(awgKeys.filter((k) => !(ANDROID_KEYS.Interface as readonly string[]).includes(k))).not.toEqual([]);
  });
});
