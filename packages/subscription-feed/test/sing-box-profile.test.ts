import { describe, expect, it } from 'vitest';
import { feedFormat } from '../src/feed/client-format.js';
import { singBoxOutbound, singBoxProfile, singBoxVersion } from '../src/feed/sing-box.js';

const UUID = '0f1e2d3c-aaaa-bbbb-cccc-111122223333';
const vmess = (body: Record<string, unknown>) => `vmess://${Buffer.from(JSON.stringify(body)).toString('base64')}`;
const REALITY = `vless://${UUID}@de.example.net:443?type=tcp&security=reality&pbk=PUBKEY&sid=ab12&sni=www.example.com&fp=firefox&flow=xtls-rprx-vision#DE%20%C2%B7%20fast`;

describe('share links as sing-box outbounds', () => {
  it('converts vless reality with uTLS, as sing-box requires for REALITY', () => {
    expect(singBoxOutbound(REALITY)).toEqual({
      type: 'vless',
      tag: 'DE · fast',
      server: 'de.example.net',
      server_port: 443,
      uuid: UUID,
      flow: 'xtls-rprx-vision',
      packet_encoding: 'xudp',
      tls: {
        enabled: true,
        server_name: 'www.example.com',
        utls: { enabled: true, fingerprint: 'firefox' },
        reality: { enabled: true, public_key: 'PUBKEY', short_id: 'ab12' },
      },
    });
  });

  it('converts vless ws tls, vmess grpc, trojan (tls by default) and shadowsocks', () => {
    expect(
      singBoxOutbound(`vless://${UUID}@1.2.3.4:8443?type=ws&security=tls&path=%2Fws&host=cdn.example.com&alpn=h2,http/1.1#ws`),
    ).toEqual({
      type: 'vless',
      tag: 'ws',
      server: '1.2.3.4',
      server_port: 8443,
      uuid: UUID,
      packet_encoding: 'xudp',
      tls: { enabled: true, server_name: 'cdn.example.com', alpn: ['h2', 'http/1.1'] },
      transport: { type: 'ws', path: '/ws', headers: { Host: 'cdn.example.com' } },
    });
    expect(
      singBoxOutbound(
        vmess({
          v: '2',
          ps: 'vm',
          add: 'nl.example.net',
          port: 2053,
          id: UUID,
          aid: 0,
          net: 'grpc',
          path: 'svc',
          tls: 'tls',
          sni: 's.example',
        }),
      ),
    ).toEqual({
      type: 'vmess',
      tag: 'vm',
      server: 'nl.example.net',
      server_port: 2053,
      uuid: UUID,
      security: 'auto',
      alter_id: 0,
      tls: { enabled: true, server_name: 's.example' },
      transport: { type: 'grpc', service_name: 'svc' },
    });
    expect(singBoxOutbound('trojan://pass-1@t.example.net:443?sni=t.example.net#tr')).toEqual({
      type: 'trojan',
      tag: 'tr',
      server: 't.example.net',
      server_port: 443,
      password: 'pass-1',
      tls: { enabled: true, server_name: 't.example.net' },
    });
    const userinfo = Buffer.from('chacha20-ietf-poly1305:ss-pass').toString('base64url');
    expect(singBoxOutbound(`ss://${userinfo}@ss.example.net:8388#ss`)).toEqual({
      type: 'shadowsocks',
      tag: 'ss',
      server: 'ss.example.net',
      server_port: 8388,
      method: 'chacha20-ietf-poly1305',
      password: 'ss-pass',
    });
  });

  it('leaves out what it cannot express faithfully, rather than sending it half right', () => {
    for (const link of [
      `vless://${UUID}@h.example:443?type=xhttp&security=tls#xhttp`,
      `vless://${UUID}@h.example:443?type=tcp&security=reality&sni=x#reality-without-key`,
      `vless://${UUID}@h.example:443?type=tcp&headerType=http#http-obfs`,
      `ss://${Buffer.from('aes-128-gcm:p').toString('base64url')}@h.example:8388?plugin=obfs-local#plugin`,
      'hysteria2://whatever@h.example:443',
      'vless://not-a-uuid@h.example:443',
    ])
      expect(singBoxOutbound(link)).toBeNull();
  });
});

describe('a sing-box profile for the app asking', () => {
  it('reads the version from sing-box apps and picks them out by User-Agent (Hiddify included, before its ClashMeta words)', () => {
    expect(singBoxVersion('SFA/1.12.4 (638; sing-box 1.12.4; language en)')).toEqual({ major: 1, minor: 12 });
    expect(singBoxVersion('SFI/1.10.7 (iOS)')).toEqual({ major: 1, minor: 10 });
    expect(singBoxVersion('HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box')).toBeNull();
    for (const ua of [
      'SFA/1.12.4 (638; sing-box 1.12.4)',
      'SFI/1.11.0',
      'SFM/1.12.0',
      'SFT/1.12.0',
      'karing/1.1.2',
      'HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box',
    ])
      expect(feedFormat(ua, '*/*')).toBe('sing-box');
    expect(feedFormat('clash-verge/v2.0.3', '*/*')).toBe('clash');
    expect(feedFormat('v2rayNG/1.8.19', '*/*')).toBe('base64');
  });

  it('writes 1.12 typed DNS servers, 1.11 rule actions, and the dns outbound before 1.11', () => {
    const links = [REALITY, REALITY, 'trojan://p@t.example.net:443#tr'];
    const v112 = JSON.parse(singBoxProfile(links, 'My Shop', { major: 1, minor: 12 }));
    expect(v112.outbounds.map((o: { tag: string }) => o.tag)).toEqual(['My Shop', 'auto', 'DE · fast', 'DE · fast 2', 'tr', 'direct']);
    expect(v112.outbounds[0]).toEqual({
      type: 'selector',
      tag: 'My Shop',
      outbounds: ['auto', 'DE · fast', 'DE · fast 2', 'tr'],
      default: 'auto',
    });
    expect(v112.dns.servers[0]).toEqual({ type: 'https', tag: 'remote', server: '1.1.1.1', detour: 'My Shop' });
    expect(v112.route).toEqual({
      auto_detect_interface: true,
      final: 'My Shop',
      rules: [{ action: 'sniff' }, { protocol: 'dns', action: 'hijack-dns' }],
    });

    const v111 = JSON.parse(singBoxProfile(links, 'My Shop', { major: 1, minor: 11 }));
    expect(v111.dns.servers[0]).toEqual({ tag: 'remote', address: 'https://1.1.1.1/dns-query', detour: 'My Shop' });
    expect(v111.route.rules).toEqual([{ action: 'sniff' }, { protocol: 'dns', action: 'hijack-dns' }]);

    const v110 = JSON.parse(singBoxProfile(links, 'My Shop', { major: 1, minor: 10 }));
    expect(v110.outbounds.at(-1)).toEqual({ type: 'dns', tag: 'dns-out' });
    expect(v110.route.rules).toEqual([{ protocol: 'dns', outbound: 'dns-out' }]);
  });

  it('with no link it can use, still gives a profile that parses and goes direct', () => {
    const empty = JSON.parse(singBoxProfile(['hysteria2://x@h:1'], 'Shop'));
    expect(empty.outbounds).toEqual([
      { type: 'selector', tag: 'Shop', outbounds: ['direct'] },
      { type: 'direct', tag: 'direct' },
    ]);
  });
});
