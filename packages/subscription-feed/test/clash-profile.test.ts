import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clashProfile, clashProxy } from '../src/feed/clash.js';
import { feedFormat } from '../src/feed/client-format.js';

const vmess = (body: Record<string, unknown>) => `vmess://${Buffer.from(JSON.stringify(body)).toString('base64')}`;

describe('share links as a Clash.Meta profile', () => {
  it('converts vless reality, vless ws tls, vmess, trojan grpc and shadowsocks with every field a client needs', () => {
    expect(
      clashProxy(
        'vless://0f1e2d3c-aaaa-bbbb-cccc-111122223333@de.example.net:443?type=tcp&security=reality&pbk=PUBKEY&sid=ab12&sni=www.example.com&fp=chrome&flow=xtls-rprx-vision#DE%20%C2%B7%20fast',
      ),
    ).toEqual({
      name: 'DE · fast',
      type: 'vless',
      server: 'de.example.net',
      port: 443,
      uuid: '0f1e2d3c-aaaa-bbbb-cccc-111122223333',
      udp: true,
      flow: 'xtls-rprx-vision',
      network: 'tcp',
      tls: true,
      servername: 'www.example.com',
      'client-fingerprint': 'chrome',
      'reality-opts': { 'public-key': 'PUBKEY', 'short-id': 'ab12' },
    });
    expect(
      clashProxy('vless://u-1@1.2.3.4:8443?type=ws&security=tls&path=%2Fws&host=cdn.example.com&sni=cdn.example.com#ws'),
    ).toMatchObject({
      type: 'vless',
      server: '1.2.3.4',
      port: 8443,
      network: 'ws',
      tls: true,
      servername: 'cdn.example.com',
      'ws-opts': { path: '/ws', headers: { Host: 'cdn.example.com' } },
    });
    expect(
      clashProxy(
        vmess({
          v: '2',
          ps: 'vm',
          add: 'nl.example.net',
          port: 2053,
          id: 'id-1',
          aid: 0,
          net: 'ws',
          path: '/v',
          host: 'h.example',
          tls: 'tls',
          sni: 's.example',
        }),
      ),
    ).toEqual({
      name: 'vm',
      type: 'vmess',
      server: 'nl.example.net',
      port: 2053,
      uuid: 'id-1',
      alterId: 0,
      cipher: 'auto',
      udp: true,
      network: 'ws',
      tls: true,
      servername: 's.example',
      'ws-opts': { path: '/v', headers: { Host: 'h.example' } },
    });
    expect(clashProxy('trojan://p%40ss@t.example.net:443?security=tls&type=grpc&serviceName=svc&sni=t.example.net#tr')).toEqual({
      name: 'tr',
      type: 'trojan',
      server: 't.example.net',
      port: 443,
      password: 'p@ss',
      udp: true,
      sni: 't.example.net',
      network: 'grpc',
      tls: true,
      'grpc-opts': { 'grpc-service-name': 'svc' },
    });
    expect(clashProxy(`ss://${Buffer.from('aes-256-gcm:secret').toString('base64')}@s.example.net:8388#ss`)).toEqual({
      name: 'ss',
      type: 'ss',
      server: 's.example.net',
      port: 8388,
      cipher: 'aes-256-gcm',
      password: 'secret',
      udp: true,
    });
  });

  it('leaves out what it cannot express faithfully', () => {
    for (const link of [
      'vless://u@h.example:443?type=xhttp&security=tls#x',
      'vless://u@h.example:443?type=tcp&headerType=http#x',
      'vless://u@h.example:443?type=tcp&security=reality#no-key',
      'ss://YWVzLTI1Ni1nY206cw==@h.example:8388?plugin=obfs-local#p',
      'vmess://not-base64-json',
      'hysteria2://x@h.example:443',
    ]) {
      expect(clashProxy(link)).toBeNull();
    }
  });

  it('is a YAML profile with unique names, one selector group and a rule through it', () => {
    const link = 'trojan://pw@t.example.net:443?security=tls&type=tcp#same';
    const profile = parse(clashProfile([link, link, 'hysteria2://x@h:1'], 'فروشگاه')) as {
      proxies: Array<{ name: string }>;
      'proxy-groups': unknown[];
      rules: string[];
    };
    expect(profile.proxies.map((p) => p.name)).toEqual(['same', 'same 2']);
    expect(profile['proxy-groups']).toEqual([{ name: 'فروشگاه', type: 'select', proxies: ['same', 'same 2'] }]);
    expect(profile.rules).toEqual(['MATCH,فروشگاه']);
    const empty = parse(clashProfile([], 'shop')) as { proxies: unknown[]; 'proxy-groups': Array<{ proxies: string[] }> };
    expect(empty.proxies).toEqual([]);
    expect(empty['proxy-groups'][0]?.proxies).toEqual(['DIRECT']);
  });

  it('goes to Clash apps by User-Agent, and not to Hiddify, which reads base64', () => {
    for (const ua of [
      'clash-verge/v2.0.3',
      'mihomo/1.18.5',
      'ClashX Meta/1.3',
      'FlClash/0.8.60 clash-verge',
      'Stash/2.5.0 Clash/1.9.0',
      'ClashforWindows/0.20.39',
    ])
      expect(feedFormat(ua, '*/*')).toBe('clash');
    for (const ua of ['v2rayNG/1.8.19', 'Streisand/1.6.3', 'v2rayN/7.2', 'Happ/1.0', '']) expect(feedFormat(ua, '*/*')).toBe('base64');
    expect(feedFormat('Mozilla/5.0', 'text/html,application/xhtml+xml')).toBe('plain');
  });
});
