/**
 * The Clash (mihomo) and sing-box builders on the protocols and transports the panels hand out beyond vless, vmess,
 * trojan and shadowsocks over tcp/ws/grpc: Hysteria2 (3x-ui v3, S-UI, PasarGuard), TUIC (S-UI), WireGuard (3x-ui v3,
 * PasarGuard), VLESS over XHTTP (3x-ui, PasarGuard) and HTTPUpgrade. Each link is written in the shape its panel prints
 * (see `src/feed/protocols/*.ts` for the panel source each follows); each output is checked field by field against
 * the format's option names (mihomo `adapter/outbound/*.go`, sing-box `docs/configuration/**`), and the sing-box
 * version gates against the app's version.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clashProfile, clashProxy } from '../src/feed/clash.js';
import { feedBody } from '../src/feed/client-format.js';
import { singBoxOutbound, singBoxProfile } from '../src/feed/sing-box.js';

const UUID = '6a1f0d2e-3b4c-4d5e-8f70-8192a3b4c5d6';
const key = () => randomBytes(32).toString('base64');
const v = (major: number, minor: number) => ({ major, minor });

const XUI_HY2 =
  'hysteria2://h%40uth@hy.example.com:8443?alpn=h3&fp=chrome&mport=20000-30000&obfs=salamander&obfs-password=salt-9&security=tls&sni=hy.example.com#de-hy2-alice';
const SUI_HY2 =
  'hysteria2://s3cret@203.0.113.7:8443?downmbps=100&upmbps=50&security=tls&insecure=1&sni=cdn.example.net&alpn=h3&fastopen=0&mport=2080:3000,4000#alice-hy2-8443';
const SUI_TUIC = `tuic://${UUID}:pa%3Ass@tuic.example.com:10443?security=tls&insecure=1&sni=tuic.example.com&alpn=h3&congestion_control=bbr&udp_relay_mode=native#bob-tuic`;

function wireGuard() {
  const privateKey = key();
  const publicKey = key();
  const psk = key();
  const enc = encodeURIComponent;
  return {
    privateKey,
    publicKey,
    psk,
    /** 3x-ui v3 `genWireguardLink`: sorted query, one IPv4 tunnel address. */
    xui: `wireguard://${enc(privateKey)}@wg.example.com:51820?address=10.0.0.2&dns=1.1.1.1&keepalive=25&mtu=1420&presharedkey=${enc(psk)}&publickey=${enc(publicKey)}#wg-alice`,
    /** PasarGuard `_build_wireguard_components`: "/" before the query, both families, allowed IPs and reserved bytes. */
    pasarguard: `wireguard://${enc(privateKey)}@198.51.100.4:51820/?publickey=${enc(publicKey)}&address=${enc('10.8.0.5/32,fd00::5/128')}&allowedips=${enc('0.0.0.0/0,::/0')}&reserved=${enc('1,2,3')}#wg%20pg`,
  };
}

describe('Clash (mihomo) proxies', () => {
  it('Hysteria2 from 3x-ui: password, salamander obfs, hop ports with "-", sni and alpn; no uTLS fingerprint over QUIC', () => {
    expect(clashProxy(XUI_HY2)).toEqual({
      name: 'de-hy2-alice',
      type: 'hysteria2',
      server: 'hy.example.com',
      port: 8443,
      ports: '20000-30000',
      password: 'h@uth',
      obfs: 'salamander',
      'obfs-password': 'salt-9',
      sni: 'hy.example.com',
      alpn: ['h3'],
    });
  });

  it('Hysteria2 from S-UI: its "first:last" hop ports become mihomo ranges, bandwidth in Mbps, insecure as skip-cert-verify', () => {
    expect(clashProxy(SUI_HY2)).toEqual({
      name: 'alice-hy2-8443',
      type: 'hysteria2',
      server: '203.0.113.7',
      port: 8443,
      ports: '2080-3000,4000',
      password: 's3cret',
      up: '50 Mbps',
      down: '100 Mbps',
      sni: 'cdn.example.net',
      'skip-cert-verify': true,
      alpn: ['h3'],
    });
  });

  it('Hysteria2 from PasarGuard: a hex certificate pin becomes mihomo `fingerprint`; a pin it cannot read leaves the link out', () => {
    const hex = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
    const proxy = clashProxy(
      `hysteria2://auth-7@pg.example.org:4443?mports=40000-40100&sni=pg.example.org&pinSHA256=${encodeURIComponent(hex)}#PG`,
    );
    expect(proxy).toMatchObject({ type: 'hysteria2', ports: '40000-40100', fingerprint: hex.replaceAll(':', '').toLowerCase() });
    expect(clashProxy('hysteria2://a@pg.example.org:4443?pinSHA256=bm90LWhleA%3D%3D#PG')).toBeNull();
    expect(clashProxy('hysteria2://a@h.example:443?security=reality#r')).toBeNull();
    const ports = Array.from({ length: 29 }, (_, i) => 20000 + i * 10).join(',');
    expect(clashProxy(`hysteria2://a@h.example:443?mport=${ports}#too-many-ranges`)).toBeNull();
    expect(clashProxy('hy2://a@h.example?sni=h.example#hy2')).toEqual({
      name: 'hy2',
      type: 'hysteria2',
      server: 'h.example',
      port: 443,
      password: 'a',
      sni: 'h.example',
    });
    expect(clashProxy('hysteria2://a@h.example:443?obfs=gecko#o')).toBeNull();
  });

  it('TUIC from S-UI: uuid and password, congestion controller, UDP relay mode, sni, alpn, skip-cert-verify', () => {
    expect(clashProxy(SUI_TUIC)).toEqual({
      name: 'bob-tuic',
      type: 'tuic',
      server: 'tuic.example.com',
      port: 10443,
      uuid: UUID,
      password: 'pa:ss',
      alpn: ['h3'],
      'congestion-controller': 'bbr',
      'udp-relay-mode': 'native',
      sni: 'tuic.example.com',
      'skip-cert-verify': true,
    });
    expect(clashProxy(`tuic://${UUID}:p@h.example:443?congestion_control=vegas#t`)).toBeNull();
  });

  it('WireGuard from 3x-ui and PasarGuard: keys, one address per family, reserved bytes, allowed IPs (all by default)', () => {
    const wg = wireGuard();
    expect(clashProxy(wg.xui)).toEqual({
      name: 'wg-alice',
      type: 'wireguard',
      server: 'wg.example.com',
      port: 51820,
      ip: '10.0.0.2/32',
      'private-key': wg.privateKey,
      'public-key': wg.publicKey,
      'pre-shared-key': wg.psk,
      'allowed-ips': ['0.0.0.0/0', '::/0'],
      mtu: 1420,
      'persistent-keepalive': 25,
      udp: true,
    });
    expect(clashProxy(wg.pasarguard)).toEqual({
      name: 'wg pg',
      type: 'wireguard',
      server: '198.51.100.4',
      port: 51820,
      ip: '10.8.0.5/32',
      ipv6: 'fd00::5/128',
      'private-key': wg.privateKey,
      'public-key': wg.publicKey,
      reserved: [1, 2, 3],
      'allowed-ips': ['0.0.0.0/0', '::/0'],
      udp: true,
    });
    // No server key, two IPv4 tunnel addresses (mihomo takes one), a reserved value that is not three bytes.
    expect(clashProxy(wg.xui.replace(/&publickey=[^#]+/, ''))).toBeNull();
    expect(clashProxy(wg.xui.replace('address=10.0.0.2', 'address=10.0.0.2%2C10.0.0.3'))).toBeNull();
    expect(clashProxy(wg.pasarguard.replace('reserved=1%2C2%2C3', 'reserved=AAAA'))).toBeNull();
  });

  it('VLESS over XHTTP (3x-ui `extra` JSON, REALITY): xhttp-opts with path, host, mode, headers and padding; alpn kept', () => {
    const extra = JSON.stringify({ headers: { 'X-Lang': 'fa' }, mode: 'packet-up', xPaddingBytes: '100-1000' });
    const link = `vless://${UUID}@x.example.com:443?alpn=h2&encryption=none&extra=${encodeURIComponent(extra)}&fp=chrome&host=cdn.example.com&mode=packet-up&path=%2Fxh&pbk=PUBKEY&security=reality&sid=ab12&sni=www.example.com&spx=%2F&type=xhttp#xh`;
    expect(clashProxy(link)).toEqual({
      name: 'xh',
      type: 'vless',
      server: 'x.example.com',
      port: 443,
      uuid: UUID,
      udp: true,
      network: 'xhttp',
      alpn: ['h2'],
      'xhttp-opts': { path: '/xh', host: 'cdn.example.com', mode: 'packet-up', headers: { 'X-Lang': 'fa' }, 'x-padding-bytes': '100-1000' },
      tls: true,
      servername: 'www.example.com',
      'client-fingerprint': 'chrome',
      'reality-opts': { 'public-key': 'PUBKEY', 'short-id': 'ab12' },
    });
    // PasarGuard's older name for the same transport, mode auto (Xray's default: no mode written).
    expect(
      clashProxy(`vless://${UUID}@x.example.com:443?security=tls&type=splithttp&path=%2Fs&mode=auto&sni=x.example.com#s`),
    ).toMatchObject({
      network: 'xhttp',
      'xhttp-opts': { path: '/s' },
    });
  });

  it('leaves out an XHTTP link mihomo cannot take as written: XMUX or download settings in `extra`, or a trojan over XHTTP', () => {
    for (const extra of [
      { xmux: { maxConcurrency: '16-32' } },
      { downloadSettings: { address: 'd.example.com' } },
      { headers: { A: 1 } },
    ]) {
      const link = `vless://${UUID}@x.example.com:443?security=tls&type=xhttp&path=%2Fx&extra=${encodeURIComponent(JSON.stringify(extra))}#x`;
      expect(clashProxy(link), JSON.stringify(extra)).toBeNull();
    }
    expect(clashProxy(`vless://${UUID}@x.example.com:443?security=tls&type=xhttp&mode=stream-sideways#m`)).toBeNull();
    expect(clashProxy('trojan://pw@x.example.com:443?security=tls&type=xhttp&path=%2Fx#t')).toBeNull();
  });

  it('HTTPUpgrade on vless and vmess: mihomo ws-opts with v2ray-http-upgrade and the Host header', () => {
    expect(clashProxy(`vless://${UUID}@u.example.com:80?type=httpupgrade&path=%2Fup&host=u.example.com&security=none#hu`)).toMatchObject({
      network: 'ws',
      'ws-opts': { path: '/up', headers: { Host: 'u.example.com' }, 'v2ray-http-upgrade': true },
    });
    const vmess = `vmess://${Buffer.from(JSON.stringify({ v: '2', ps: 'vm-hu', add: 'u.example.com', port: 8080, id: UUID, net: 'httpupgrade', path: '/vu', host: '', tls: '' })).toString('base64')}`;
    expect(clashProxy(vmess)).toMatchObject({ type: 'vmess', network: 'ws', 'ws-opts': { path: '/vu', 'v2ray-http-upgrade': true } });
  });

  it('a whole profile lists them in the selector group', () => {
    const wg = wireGuard();
    const profile = parse(clashProfile([XUI_HY2, SUI_TUIC, wg.xui], 'Shop')) as {
      proxies: { name: string; type: string }[];
      'proxy-groups': { proxies: string[] }[];
    };
    expect(profile.proxies.map((p) => p.type)).toEqual(['hysteria2', 'tuic', 'wireguard']);
    expect(profile['proxy-groups'][0]!.proxies).toEqual(['de-hy2-alice', 'bob-tuic', 'wg-alice']);
  });
});

describe('sing-box entries per app version', () => {
  it('Hysteria2: an outbound from 1.5, hop ports (`first:last`) from 1.11, nothing before 1.5', () => {
    expect(singBoxOutbound(XUI_HY2, undefined, v(1, 11))).toEqual({
      type: 'hysteria2',
      tag: 'de-hy2-alice',
      server: 'hy.example.com',
      server_port: 8443,
      server_ports: ['20000:30000'],
      obfs: { type: 'salamander', password: 'salt-9' },
      password: 'h@uth',
      tls: { enabled: true, server_name: 'hy.example.com', alpn: ['h3'] },
    });
    expect(singBoxOutbound(SUI_HY2, undefined, v(1, 12))).toMatchObject({
      server_ports: ['2080:3000', '4000:4000'],
      up_mbps: 50,
      down_mbps: 100,
      tls: { enabled: true, server_name: 'cdn.example.net', insecure: true, alpn: ['h3'] },
    });
    const before = singBoxOutbound(XUI_HY2, undefined, v(1, 10));
    expect(before).toMatchObject({ type: 'hysteria2', server_port: 8443 });
    expect(before).not.toHaveProperty('server_ports');
    expect(singBoxOutbound(XUI_HY2, undefined, v(1, 4))).toBeNull();
    // sing-box has no certificate-hash pin: the link is left out rather than connected without it.
    expect(singBoxOutbound(`hysteria2://a@h.example:443?pinSHA256=${'ab'.repeat(32)}#p`, undefined, v(1, 12))).toBeNull();
  });

  it('TUIC: an outbound from 1.4 with congestion control, relay mode and TLS; nothing before', () => {
    expect(singBoxOutbound(SUI_TUIC, undefined, v(1, 4))).toEqual({
      type: 'tuic',
      tag: 'bob-tuic',
      server: 'tuic.example.com',
      server_port: 10443,
      uuid: UUID,
      password: 'pa:ss',
      congestion_control: 'bbr',
      udp_relay_mode: 'native',
      tls: { enabled: true, server_name: 'tuic.example.com', insecure: true, alpn: ['h3'] },
    });
    expect(singBoxOutbound(SUI_TUIC, undefined, v(1, 3))).toBeNull();
  });

  it('WireGuard: an endpoint with one peer from 1.11, the single-peer outbound before; addresses get a prefix length', () => {
    const wg = wireGuard();
    expect(singBoxOutbound(wg.pasarguard, undefined, v(1, 11))).toEqual({
      type: 'wireguard',
      tag: 'wg pg',
      address: ['10.8.0.5/32', 'fd00::5/128'],
      private_key: wg.privateKey,
      peers: [{ address: '198.51.100.4', port: 51820, public_key: wg.publicKey, allowed_ips: ['0.0.0.0/0', '::/0'], reserved: [1, 2, 3] }],
    });
    expect(singBoxOutbound(wg.xui, undefined, v(1, 10))).toEqual({
      type: 'wireguard',
      tag: 'wg-alice',
      server: 'wg.example.com',
      server_port: 51820,
      local_address: ['10.0.0.2/32'],
      private_key: wg.privateKey,
      peer_public_key: wg.publicKey,
      pre_shared_key: wg.psk,
      mtu: 1420,
    });
  });

  it('XHTTP is not in sing-box: such a link is left out of every version', () => {
    const link = `vless://${UUID}@x.example.com:443?security=tls&type=xhttp&path=%2Fx&sni=x.example.com#x`;
    for (const version of [v(1, 10), v(1, 11), v(1, 12), v(1, 13)]) expect(singBoxOutbound(link, undefined, version)).toBeNull();
  });

  it('a 1.12 profile puts WireGuard under `endpoints`, the rest under `outbounds`, all of them in the selector and URL test', () => {
    const wg = wireGuard();
    const profile = JSON.parse(singBoxProfile([XUI_HY2, SUI_TUIC, wg.xui], 'Shop', v(1, 12)));
    expect(profile.endpoints.map((e: { type: string; tag: string }) => [e.type, e.tag])).toEqual([['wireguard', 'wg-alice']]);
    expect(profile.outbounds.map((o: { tag: string }) => o.tag)).toEqual(['Shop', 'auto', 'de-hy2-alice', 'bob-tuic', 'direct']);
    expect(profile.outbounds[0].outbounds).toEqual(['auto', 'de-hy2-alice', 'bob-tuic', 'wg-alice']);
    expect(profile.outbounds[1].outbounds).toEqual(['de-hy2-alice', 'bob-tuic', 'wg-alice']);
    const first = JSON.parse(singBoxProfile([wg.xui], 'Shop', v(1, 11)));
    expect(first.endpoints.map((e: { tag: string }) => e.tag)).toEqual(['wg-alice']);
    expect(first.outbounds.map((o: { type: string }) => o.type)).not.toContain('wireguard');
    const old = JSON.parse(singBoxProfile([wg.xui], 'Shop', v(1, 10)));
    expect(old).not.toHaveProperty('endpoints');
    expect(old.outbounds.map((o: { type: string }) => o.type)).toContain('wireguard');
  });
});

describe('the base64 feed (v2rayNG, Happ, v2RayTun…)', () => {
  it('passes every such link through unchanged', () => {
    const wg = wireGuard();
    const links = [
      XUI_HY2,
      'hy2://tok@hy.example.com/?sni=hy.example.com',
      SUI_TUIC,
      wg.xui,
      wg.pasarguard,
      `vless://${UUID}@x.example.com:443?type=xhttp#x`,
    ];
    const { body } = feedBody(links, 'base64', 'Shop');
    expect(Buffer.from(body, 'base64').toString('utf8').split('\n')).toEqual(links);
  });
});
