/**
 * `shareLinkToOutbound` against the links the adapters themselves hand out (3x-ui in both link
 * styles, S-UI, Marzban, Marzneshin), and malformed links refused with a typed error.
 */
import { describe, expect, it } from 'vitest';
import { PanelkitError, ValidationError } from '@panelkit/sdk';
import { parseShareLink, shareLinkToOutbound, ShareLinkError } from '../../src/share-links/index.js';
import { rig as xuiRig, spec as xuiSpec } from '../xui/setup.js';
import { rig as suiRig, spec as suiSpec } from '../sui/setup.js';
import { setup as marzbanSetup, spec as marzbanSpec } from '../marzban/setup.js';
import { setup as marzneshinSetup, spec as marzneshinSpec, SERVICE_TARGET } from '../marzneshin/setup.js';
import { ctx, useMsw } from '../support/msw.js';

useMsw();

type Vnext = { vnext: { address: string; port: number; users: { id: string }[] }[] };
type Servers = { servers: { address: string; port: number; password: string; method?: string }[] };

describe('3x-ui links → outbounds', () => {
  for (const version of ['2.8.x', '3.6.x']) {
    it(`${version}: every demo inbound's link becomes an outbound to that inbound with the client's credential`, async () => {
      const { adapter, targets, sim } = xuiRig({ version });
      const one = xuiSpec();
      const inbounds = [...sim.state.inbounds.values()];
      for (const [name, target] of Object.entries(targets)) {
        const [created] = await adapter.createClients(target, [one], ctx());
        const [link] = (await adapter.links(created!.ref, ctx())).shareLinks;
        const inbound = inbounds.find((ib) => String(ib.id) === target.remoteRef)!;
        const out = shareLinkToOutbound(link!);
        expect(out.protocol, name).toBe(inbound.protocol);
        expect(out.tag).toBe('proxy');
        const client = sim.client(one.identity.username)!;
        if (out.protocol === 'vless' || out.protocol === 'vmess') {
          const server = (out.settings as Vnext).vnext[0]!;
          expect(server).toMatchObject({ address: 'vpn.example.test', port: inbound.port });
          expect(server.users[0]!.id).toBe(one.identity.uuid);
        } else {
          const server = (out.settings as Servers).servers[0]!;
          expect(server).toMatchObject({ address: 'vpn.example.test', port: inbound.port });
          if (out.protocol === 'trojan') expect(server.password).toBe(client.password);
          else expect(server.password).toBe(`${String(inbound.settings.password)}:${String(client.password)}`);
        }
        expect(out.streamSettings.network).toBe(inbound.streamSettings.network);
        expect(out.streamSettings.security).toBe(inbound.streamSettings.security);
        await adapter.deleteClient(created!.ref, ctx());
      }
    });
  }

  it('keeps the transport: ws path, REALITY keys and TLS server name', async () => {
    const { adapter, targets } = xuiRig();
    const one = xuiSpec();
    const linkOf = async (target: typeof targets.vless) => {
      const [created] = await adapter.createClients(target, [one], ctx());
      const [link] = (await adapter.links(created!.ref, ctx())).shareLinks;
      await adapter.deleteClient(created!.ref, ctx());
      return shareLinkToOutbound(link!, { tag: 'probe' });
    };
    const reality = await linkOf(targets.vless);
    expect(reality.tag).toBe('probe');
    expect(reality.streamSettings.realitySettings).toMatchObject({
      serverName: 'www.microsoft.com',
      publicKey: 'demo-public-key-0123456789abcdefghijklmnop',
      shortId: '6ba85179e30d4fc2',
    });
    expect((reality.settings as { vnext: { users: { flow?: string }[] }[] }).vnext[0]!.users[0]!.flow).toBe('xtls-rprx-vision');
    expect((await linkOf(targets.vmess)).streamSettings.wsSettings).toEqual({ path: '/vm' });
    const trojan = await linkOf(targets.trojan);
    expect(trojan.streamSettings).toMatchObject({
      network: 'ws',
      security: 'tls',
      wsSettings: { path: '/tj' },
      tlsSettings: { serverName: 'vpn.example.com', alpn: ['h2', 'http/1.1'] },
    });
  });
});

describe('other panels’ links → outbounds', () => {
  it('S-UI', async () => {
    const { adapter } = suiRig();
    const one = suiSpec();
    const shareLinks: string[] = [];
    for (const remoteRef of ['1', '3', '4', '5']) {
      const [created] = await adapter.createClients({ remoteRef, protocol: 'mixed', remoteMeta: {} }, [suiSpec()], ctx());
      shareLinks.push(...(await adapter.links(created!.ref, ctx())).shareLinks);
    }
    expect(shareLinks.length).toBeGreaterThan(3);
    expect(shareLinks.filter((link) => expectConverted(link)).length).toBeGreaterThan(0);
    const [vmess] = await adapter.createClients({ remoteRef: '3', protocol: 'vmess', remoteMeta: {} }, [one], ctx());
    const [link] = (await adapter.links(vmess!.ref, ctx())).shareLinks;
    expect(expectConverted(link!, one.identity.uuid)).toBe(true);
  });

  it('Marzban and Marzneshin: every protocol they hand out', async () => {
    const marzban = marzbanSetup();
    const marzneshin = marzneshinSetup();
    const links: string[] = [];
    const everyProtocol = {
      remoteRef: 'all',
      protocol: 'mixed',
      remoteMeta: {
        inbounds: { vless: ['VLESS TCP REALITY'], vmess: ['VMess WS'], trojan: ['Trojan TCP'], shadowsocks: ['Shadowsocks TCP'] },
      },
    };
    const [a] = await marzban.adapter.createClients(everyProtocol, [marzbanSpec('link-a', marzban.clock)], ctx());
    links.push(...(await marzban.adapter.links(a!.ref, ctx())).shareLinks);
    const [b] = await marzneshin.adapter.createClients(SERVICE_TARGET, [marzneshinSpec('link-b', marzneshin.clock)], ctx());
    links.push(...(await marzneshin.adapter.links(b!.ref, ctx())).shareLinks);
    expect(links.length).toBeGreaterThan(1);
    expect(links.filter((link) => expectConverted(link)).length).toBeGreaterThan(0);
  });
});

/**
 * The simulated S-UI, Marzban and Marzneshin print REALITY links without the public key a client
 * needs (the real panels include `pbk`): those are refused as such, every other one converts.
 */
function expectConverted(link: string, credential?: string): boolean {
  if (/security=reality/.test(link) && !/[?&]pbk=/.test(link)) {
    expect(() => shareLinkToOutbound(link)).toThrow(/needs "pbk"/);
    return false;
  }
  const out = shareLinkToOutbound(link);
  expect(['vless', 'vmess', 'trojan', 'shadowsocks']).toContain(out.protocol);
  expect(parseShareLink(link).port).toBeGreaterThan(0);
  if (credential !== undefined && (out.protocol === 'vless' || out.protocol === 'vmess'))
    expect((out.settings as Vnext).vnext[0]!.users[0]!.id).toBe(credential);
  return true;
}

describe('link forms', () => {
  const uuid = '5f0c1e2a-9b7d-4c3e-8a1f-0123456789ab';

  it('Shadowsocks: SIP002 base64url, SIP022 percent-encoded, and the legacy all-base64 form', () => {
    const sip002 = `ss://${Buffer.from('aes-256-gcm:pa:ss').toString('base64url')}@10.0.0.1:8388#x`;
    expect(shareLinkToOutbound(sip002).settings).toEqual({
      servers: [{ address: '10.0.0.1', port: 8388, method: 'aes-256-gcm', password: 'pa:ss', level: 0 }],
    });
    const sip022 = 'ss://2022-blake3-aes-256-gcm:c2VydmVy%3D:dXNlcg%3D%3D@[2001:db8::1]:443';
    expect(parseShareLink(sip022)).toMatchObject({
      address: '2001:db8::1',
      port: 443,
      method: '2022-blake3-aes-256-gcm',
      secret: 'c2VydmVy=:dXNlcg==',
    });
    const legacy = `ss://${Buffer.from('chacha20-ietf-poly1305:pw@host.example:1234').toString('base64')}#legacy`;
    expect(parseShareLink(legacy)).toMatchObject({
      address: 'host.example',
      port: 1234,
      method: 'chacha20-ietf-poly1305',
      secret: 'pw',
      remark: 'legacy',
    });
  });

  it('trojan passwords are percent-decoded; grpc and httpupgrade transports are kept', () => {
    const trojan = shareLinkToOutbound('trojan://p%40ss%3Aw@h.example:443?type=grpc&serviceName=svc&security=tls&sni=s.example#t');
    expect(trojan.settings).toEqual({ servers: [{ address: 'h.example', port: 443, password: 'p@ss:w', level: 0 }] });
    expect(trojan.streamSettings).toEqual({
      network: 'grpc',
      grpcSettings: { serviceName: 'svc', multiMode: false },
      security: 'tls',
      tlsSettings: { serverName: 's.example' },
    });
    const up = shareLinkToOutbound(`vless://${uuid}@h.example:80?type=httpupgrade&path=%2Fu&host=cdn.example&security=none`);
    expect(up.streamSettings).toEqual({
      network: 'httpupgrade',
      httpupgradeSettings: { path: '/u', host: 'cdn.example' },
      security: 'none',
    });
  });

  it.each([
    ['an unknown scheme', 'http://example.com/', 'scheme'],
    ['no scheme at all', 'not a link', 'scheme'],
    ['a VLESS id that is not a uuid', 'vless://nope@h.example:443?type=tcp', 'credential'],
    ['no credential', 'trojan://@h.example:443', 'credential'],
    ['no port', `vless://${uuid}@h.example?type=tcp`, 'port'],
    ['a port out of range', `vless://${uuid}@h.example:70000`, 'link'],
    ['VMess that is not base64', 'vmess://{not base64}', 'VMess body'],
    ['VMess base64 that is not JSON', `vmess://${Buffer.from('hello').toString('base64')}`, 'body'],
    ['VMess without a host', `vmess://${Buffer.from(JSON.stringify({ id: uuid, port: 1 })).toString('base64')}`, 'address'],
    ['Shadowsocks userinfo without a method', `ss://${Buffer.from('justpassword').toString('base64url')}@h.example:1`, 'userinfo'],
    ['an unknown transport', `vless://${uuid}@h.example:443?type=carrier-pigeon`, 'type'],
    ['an unknown security', `vless://${uuid}@h.example:443?security=rot13`, 'security'],
    ['REALITY without a public key', `vless://${uuid}@h.example:443?security=reality&sni=a.example`, 'pbk'],
  ])('refuses %s with a ShareLinkError', (_name, link, field) => {
    let caught: unknown;
    try {
      shareLinkToOutbound(link);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ShareLinkError);
    expect(caught).toBeInstanceOf(ValidationError);
    expect(PanelkitError.is(caught) && caught.code).toBe('VALIDATION_FAILED');
    expect((caught as ShareLinkError).issues[0]?.path).toBe(field);
  });
});
