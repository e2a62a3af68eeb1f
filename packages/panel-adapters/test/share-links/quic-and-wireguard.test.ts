/**
 * `parseShareLink` on the Hysteria2, TUIC and WireGuard links the panels print (3x-ui v3 `genHysteriaLink` /
 * `genWireguardLink`, S-UI `hysteria2Link` / `tuicLink`, PasarGuard `_build_hysteria` / `_build_wireguard_components`),
 * written here in their shapes; `shareLinkToOutbound` writing Xray's wireguard outbound (Xray-core
 * `infra/conf/wireguard.go`) and refusing Hysteria2 and TUIC with a typed error.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@panelkit/sdk';
import { parseShareLink, shareLinkToOutbound, ShareLinkError } from '../../src/share-links/index.js';
import { rig as suiRig, spec as suiSpec } from '../sui/setup.js';
import { ctx, useMsw } from '../support/msw.js';

useMsw();

const UUID = '5f0c1e0a-8d2b-4c47-9a61-2b7d3c4e5f60';
const key = () => randomBytes(32).toString('base64');
const params = (link: string) => Object.fromEntries(parseShareLink(link).params);
const caught = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return null;
};

describe('Hysteria2 links', () => {
  it('3x-ui v3: auth percent-encoded, TLS params, salamander obfs and hop ports under mport', () => {
    const link =
      'hysteria2://p%40ss%3Aword@hy.example.com:8443?alpn=h3&fp=chrome&mport=20000-30000&obfs=salamander&obfs-password=salt-9&security=tls&sni=hy.example.com#de-hy2-alice';
    const parsed = parseShareLink(link);
    expect(parsed).toMatchObject({
      protocol: 'hysteria2',
      address: 'hy.example.com',
      port: 8443,
      secret: 'p@ss:word',
      method: '',
      remark: 'de-hy2-alice',
    });
    expect(params(link)).toEqual({
      alpn: 'h3',
      fp: 'chrome',
      mport: '20000-30000',
      obfs: 'salamander',
      'obfs-password': 'salt-9',
      security: 'tls',
      sni: 'hy.example.com',
    });
  });

  it('S-UI: bandwidth, insecure, fastopen; PasarGuard: mports and pinSHA256; hy2:// and a missing port (443)', () => {
    const sui = parseShareLink(
      'hysteria2://s3cret@203.0.113.7:443?downmbps=100&upmbps=50&security=tls&insecure=1&sni=cdn.example.net&alpn=h3&fastopen=0#alice-hy2-8443',
    );
    expect(sui).toMatchObject({ protocol: 'hysteria2', address: '203.0.113.7', port: 443, secret: 's3cret' });
    expect(sui.params.get('insecure')).toBe('1');
    expect(sui.params.get('upmbps')).toBe('50');
    const pin = 'ab'.repeat(32);
    const pg = parseShareLink(`hysteria2://auth-7@[2001:db8::7]:4443?mports=40000-40100&sni=pg.example.org&pinSHA256=${pin}#PG%20hy2`);
    expect(pg).toMatchObject({ address: '2001:db8::7', port: 4443, remark: 'PG hy2' });
    expect(pg.params.get('mports')).toBe('40000-40100');
    expect(pg.params.get('pinSHA256')).toBe(pin);
    expect(parseShareLink('hy2://tok@hy.example.com/?sni=hy.example.com')).toMatchObject({
      protocol: 'hysteria2',
      port: 443,
      secret: 'tok',
    });
  });

  it('the S-UI simulator’s own Hysteria2 link reads back to its inbound and the client’s password', async () => {
    const { adapter, sim } = suiRig();
    const one = suiSpec();
    const [created] = await adapter.createClients({ remoteRef: '2', protocol: 'hysteria2', remoteMeta: {} }, [one], ctx());
    const [link] = (await adapter.links(created!.ref, ctx())).shareLinks;
    const parsed = parseShareLink(link!);
    expect(parsed.protocol).toBe('hysteria2');
    expect(parsed.port).toBe(8443);
    expect(parsed.secret).toBe(sim.client(one.identity.username)!.config.hysteria2!.password);
  });
});

describe('TUIC links', () => {
  it('S-UI: uuid:password, TLS params, congestion control and UDP relay mode', () => {
    const link = `tuic://${UUID}:pa%3Ass@tuic.example.com:10443?security=tls&insecure=1&sni=tuic.example.com&alpn=h3&congestion_control=bbr&udp_relay_mode=native#bob-tuic`;
    expect(parseShareLink(link)).toMatchObject({
      protocol: 'tuic',
      address: 'tuic.example.com',
      port: 10443,
      secret: `${UUID}:pa:ss`,
      remark: 'bob-tuic',
    });
    expect(params(link)).toMatchObject({ congestion_control: 'bbr', udp_relay_mode: 'native', alpn: 'h3', insecure: '1' });
  });

  it('refuses a TUIC link without a uuid or without a password', () => {
    for (const link of ['tuic://not-a-uuid:pw@h.example:443', `tuic://${UUID}@h.example:443`, `tuic://${UUID}:@h.example:443`]) {
      expect(() => parseShareLink(link), link).toThrow(ShareLinkError);
    }
  });
});

describe('WireGuard links', () => {
  it('3x-ui v3 and PasarGuard (with its "/" before the query): private key decoded, peer and tunnel in the query', () => {
    const privateKey = key();
    const publicKey = key();
    const psk = key();
    const xui = `wireguard://${encodeURIComponent(privateKey)}@wg.example.com:51820?address=10.0.0.2%2F32&dns=1.1.1.1&keepalive=25&mtu=1420&presharedkey=${encodeURIComponent(psk)}&publickey=${encodeURIComponent(publicKey)}#wg-alice`;
    const parsed = parseShareLink(xui);
    expect(parsed).toMatchObject({ protocol: 'wireguard', address: 'wg.example.com', port: 51820, secret: privateKey, remark: 'wg-alice' });
    expect(params(xui)).toEqual({
      address: '10.0.0.2/32',
      dns: '1.1.1.1',
      keepalive: '25',
      mtu: '1420',
      presharedkey: psk,
      publickey: publicKey,
    });
    const pg = `wireguard://${encodeURIComponent(privateKey)}@198.51.100.4:51820/?publickey=${encodeURIComponent(publicKey)}&address=10.8.0.5%2F32%2Cfd00%3A%3A5%2F128&allowedips=0.0.0.0%2F0%2C%3A%3A%2F0&reserved=1%2C2%2C3#wg%20pg`;
    expect(parseShareLink(pg)).toMatchObject({ address: '198.51.100.4', secret: privateKey, remark: 'wg pg' });
    expect(params(pg)).toMatchObject({ address: '10.8.0.5/32,fd00::5/128', allowedips: '0.0.0.0/0,::/0', reserved: '1,2,3' });
    expect(
      parseShareLink(`wg://${encodeURIComponent(privateKey)}@wg.example.com:51820?publickey=${encodeURIComponent(publicKey)}`).protocol,
    ).toBe('wireguard');
  });

  it('refuses a WireGuard link without a private key or a port, or with a key that is not 32 bytes of base64', () => {
    const publicKey = encodeURIComponent(key());
    const cases: [string, string][] = [
      [`wireguard://@wg.example.com:51820?publickey=${publicKey}`, 'credential'],
      [`wireguard://${encodeURIComponent(key())}@wg.example.com?publickey=${publicKey}`, 'port'],
      [`wireguard://not-a-key@wg.example.com:51820?publickey=${publicKey}`, 'credential'],
      [`wireguard://${encodeURIComponent(key())}@wg.example.com:51820?publickey=c2hvcnQ%3D`, 'publickey'],
      [`wireguard://${encodeURIComponent(key())}@wg.example.com:51820?publickey=${publicKey}&presharedkey=x`, 'presharedkey'],
    ];
    for (const [link, field] of cases) {
      const error = caught(() => parseShareLink(link));
      expect(error, link).toBeInstanceOf(ShareLinkError);
      expect((error as ShareLinkError).issues[0]!.path, link).toBe(field);
    }
  });
});

describe('shareLinkToOutbound and the new protocols', () => {
  it("WireGuard: Xray's wireguard outbound (secretKey, address, one peer with its endpoint), no stream settings", () => {
    const privateKey = key();
    const publicKey = key();
    const psk = key();
    const enc = encodeURIComponent;
    const xui = `wireguard://${enc(privateKey)}@wg.example.com:51820?address=10.0.0.2%2F32&keepalive=25&mtu=1420&presharedkey=${enc(psk)}&publickey=${enc(publicKey)}#w`;
    expect(shareLinkToOutbound(xui, { tag: 'wg' })).toEqual({
      tag: 'wg',
      protocol: 'wireguard',
      settings: {
        secretKey: privateKey,
        address: ['10.0.0.2/32'],
        peers: [{ publicKey, preSharedKey: psk, endpoint: 'wg.example.com:51820', keepAlive: 25 }],
        mtu: 1420,
      },
      streamSettings: {},
    });
    const pg = `wireguard://${enc(privateKey)}@[2001:db8::4]:51820/?publickey=${enc(publicKey)}&address=${enc('10.8.0.5/32,fd00::5/128')}&allowedips=${enc('0.0.0.0/0,::/0')}&reserved=${enc('1,2,3')}#w`;
    expect(shareLinkToOutbound(pg).settings).toEqual({
      secretKey: privateKey,
      address: ['10.8.0.5/32', 'fd00::5/128'],
      peers: [{ publicKey, endpoint: '[2001:db8::4]:51820', allowedIPs: ['0.0.0.0/0', '::/0'] }],
      reserved: [1, 2, 3],
    });
    const bad: [string, string][] = [
      [`wireguard://${enc(privateKey)}@wg.example.com:51820?address=10.0.0.2`, 'publickey'],
      [`wireguard://${enc(privateKey)}@wg.example.com:51820?publickey=${enc(publicKey)}`, 'address'],
      [`wireguard://${enc(privateKey)}@wg.example.com:51820?publickey=${enc(publicKey)}&address=10.0.0.2&reserved=AAAA`, 'reserved'],
      [`wireguard://${enc(privateKey)}@wg.example.com:51820?publickey=${enc(publicKey)}&address=10.0.0.2&mtu=0`, 'mtu'],
    ];
    for (const [link, field] of bad) {
      const error = caught(() => shareLinkToOutbound(link));
      expect(error, link).toBeInstanceOf(ShareLinkError);
      expect((error as ShareLinkError).issues[0]!.path, link).toBe(field);
    }
  });

  it('refuses Hysteria2 and TUIC with a ShareLinkError (a ValidationError) naming the protocol, rather than writing a wrong outbound', () => {
    const links = {
      hysteria2: 'hysteria2://pw@hy.example.com:443?security=tls&sni=hy.example.com#h',
      tuic: `tuic://${UUID}:pw@tuic.example.com:443?alpn=h3#t`,
    };
    for (const [protocol, link] of Object.entries(links)) {
      const error = caught(() => shareLinkToOutbound(link));
      expect(error, protocol).toBeInstanceOf(ShareLinkError);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(`a ${protocol} link has no v2ray/Xray outbound`);
    }
  });

  it('still names the schemes it knows when one is unknown', () => {
    expect(() => parseShareLink('hysteria://x@h.example:443')).toThrow(/hysteria2, hy2, tuic, wireguard or wg/);
  });
});
