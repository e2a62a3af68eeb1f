/**
 * Share links and subscription URLs. Expected strings are written out by hand from the rules of
 * the panel's subscription service (`sub/subService.go`, v2.8.x): query keys sorted, Go fragment
 * escaping, vmess as base64 of `json.MarshalIndent` with sorted keys.
 */
import { describe, expect, it } from 'vitest';
import { goEncodeQuery, goFragmentEscape, goMarshalIndent, goQueryEscape } from '../../src/xui/links/go-format.js';
import { formatTraffic } from '../../src/xui/links/remark.js';
import { BASE_PATH, calls, callsUnder, ctx, DAY, GIB, ORIGIN, rig, spec, TOKEN, useMsw, type Rig } from './setup.js';

useMsw();

describe('Go encoders', () => {
  it('MarshalIndent sorts keys, indents by two spaces and escapes HTML characters', () => {
    expect(goMarshalIndent({ v: '2', add: 'a<b>&c', port: 443, list: [], o: {} })).toBe(
      '{\n  "add": "a\\u003cb\\u003e\\u0026c",\n  "list": [],\n  "o": {},\n  "port": 443,\n  "v": "2"\n}',
    );
    expect(goMarshalIndent({ a: ['x', 1] })).toBe('{\n  "a": [\n    "x",\n    1\n  ]\n}');
  });

  it('QueryEscape and Values.Encode follow net/url', () => {
    expect(goQueryEscape('h2,http/1.1 x~y')).toBe('h2%2Chttp%2F1.1+x~y');
    expect(goEncodeQuery({ type: 'ws', path: '/a', alpn: 'h2' })).toBe('alpn=h2&path=%2Fa&type=ws');
  });

  it('fragments keep sub-delimiters and escape UTF-8 bytes', () => {
    expect(goFragmentEscape('In-1 a/b@c📊')).toBe('In-1%20a/b@c%F0%9F%93%8A');
  });

  it('FormatTraffic prints two decimals in binary units', () => {
    expect(formatTraffic(9 * GIB)).toBe('9.00GB');
    expect(formatTraffic(1536)).toBe('1.50KB');
  });
});

describe('3x-ui Gen A links', () => {
  it('a batch asking for its links at once shares one read of the inbound; a write in between is never missed', async () => {
    const { adapter, targets, sim } = rig();
    const specs = [spec(), spec(), spec(), spec()];
    const created = await adapter.createClients(targets.vless, specs, ctx());
    const before = calls(sim, 'GET /panel/api/inbounds/get/1');
    const links = await Promise.all(created.map((c) => adapter.links(c.ref, ctx())));
    expect(calls(sim, 'GET /panel/api/inbounds/get/1') - before).toBe(1);
    for (const [i, l] of links.entries()) expect(l.shareLinks[0]).toContain(specs[i]!.identity.uuid);
    // A client made while a read is in flight is not in that read: its links read the inbound anew.
    const late = spec();
    const reading = adapter.links(created[0]!.ref, ctx());
    const [made] = await adapter.createClients(targets.vless, [late], ctx());
    const [first, lateLinks] = await Promise.all([reading, adapter.links(made!.ref, ctx())]);
    expect(first.shareLinks[0]).toContain(specs[0]!.identity.uuid);
    expect(lateLinks.shareLinks[0]).toContain(late.identity.uuid);
  });

  it('VLESS Reality on TCP: sorted query with flow, pbk, sid, sni and a stable spx', async () => {
    const { adapter, targets } = rig();
    const one = spec();
    const [created] = await adapter.createClients(targets.vless, [one], ctx());
    const { shareLinks, subscriptionUrl } = await adapter.links(created!.ref, ctx());
    expect(shareLinks).toHaveLength(1);
    expect(shareLinks[0]).toMatch(
      new RegExp(
        `^vless://${one.identity.uuid}@vpn\\.example\\.test:443\\?encryption=none&flow=xtls-rprx-vision&fp=chrome&pbk=demo-public-key-0123456789abcdefghijklmnop&security=reality&sid=6ba85179e30d4fc2&sni=www\\.microsoft\\.com&spx=%2F[A-Za-z0-9]{15}&type=tcp#VLESS-Reality-${one.identity.username}$`,
      ),
    );
    expect((await adapter.links(created!.ref, ctx())).shareLinks).toEqual(shareLinks);
    expect(subscriptionUrl).toBe(`http://vpn.example.test:2096/sub/${one.identity.subId}`);
  });

  it('VMess over WebSocket: base64 of the indented JSON with sorted keys', async () => {
    const { adapter, targets } = rig();
    const one = spec();
    const [created] = await adapter.createClients(targets.vmess, [one], ctx());
    const [link] = (await adapter.links(created!.ref, ctx())).shareLinks;
    const json = Buffer.from(link!.slice('vmess://'.length), 'base64').toString('utf8');
    expect(json).toBe(
      [
        '{',
        '  "add": "vpn.example.test",',
        '  "host": "",',
        `  "id": "${one.identity.uuid}",`,
        '  "net": "ws",',
        '  "path": "/vm",',
        '  "port": 8080,',
        `  "ps": "VMess-WS-${one.identity.username}",`,
        '  "scy": "auto",',
        '  "tls": "none",',
        '  "type": "none",',
        '  "v": "2"',
        '}',
      ].join('\n'),
    );
  });

  it('Trojan over WebSocket with TLS, and Shadowsocks 2022 as base64 of method:serverKey:userKey', async () => {
    const { sim, adapter, targets } = rig();
    const [t, s] = [spec(), spec()];
    const [trojan] = await adapter.createClients(targets.trojan, [t], ctx());
    const [ss] = await adapter.createClients(targets.ss, [s], ctx());
    expect((await adapter.links(trojan!.ref, ctx())).shareLinks).toEqual([
      `trojan://${t.identity.password}@vpn.example.test:8443?alpn=h2%2Chttp%2F1.1&fp=chrome&host=&path=%2Ftj&security=tls&sni=vpn.example.com&type=ws#Trojan-WS-${t.identity.username}`,
    ]);
    const serverKey = sim.state.inbounds.get(Number(targets.ss.remoteRef))!.settings.password as string;
    const userinfo = Buffer.from(`2022-blake3-aes-256-gcm:${serverKey}:${s.identity.ssKey}`).toString('base64');
    expect((await adapter.links(ss!.ref, ctx())).shareLinks).toEqual([
      `ss://${userinfo}@vpn.example.test:8388?type=tcp#SS-2022-${s.identity.username}`,
    ]);
  });

  it('follows the configured host, subscription base URL, remark model and show-info setting', async () => {
    const { sim, adapter, clock, targets } = rig({
      adapter: {
        links: { host: 'edge.example.org', subscriptionBaseUrl: 'https://sub.example.org/s', remarkModel: '_eio', showInfo: true },
      },
    });
    const t = spec({ trafficLimitBytes: 10 * GIB, expiry: { type: 'at', at: new Date(clock.now().getTime() + 30 * DAY) } });
    const [created] = await adapter.createClients(targets.trojan, [t], ctx());
    await sim.addTraffic(t.identity.username, GIB, 0);
    const { shareLinks, subscriptionUrl } = await adapter.links(created!.ref, ctx());
    expect(subscriptionUrl).toBe(`https://sub.example.org/s/${t.identity.subId}`);
    expect(shareLinks[0]).toMatch(new RegExp(`^trojan://${t.identity.password}@edge\\.example\\.org:8443\\?`));
    expect(shareLinks[0]).toMatch(new RegExp(`#${t.identity.username}_Trojan-WS_9\\.00GB%F0%9F%93%8A_30D%E2%8F%B3$`));
  });

  it('an inbound listening on a specific address puts that address in the link', async () => {
    const { sim, adapter, targets } = rig();
    sim.state.inbounds.get(Number(targets.trojan.remoteRef))!.listen = '198.51.100.7';
    const t = spec();
    const [created] = await adapter.createClients(targets.trojan, [t], ctx());
    expect((await adapter.links(created!.ref, ctx())).shareLinks[0]).toContain(`@198.51.100.7:8443?`);
  });
});

describe('3x-ui Gen B links', () => {
  /** The panel's own answer to `clients/links/:email`, asked with an API token, past the adapter. */
  async function panelLinks(sim: Rig['sim'], email: string): Promise<string[]> {
    const url = `${ORIGIN}${BASE_PATH}panel/api/clients/links/${encodeURIComponent(email)}`;
    const response = await sim.handle(new Request(url, { headers: { authorization: `Bearer ${TOKEN}` } }));
    const body = (await response.json()) as { success: boolean; obj: string[] };
    expect(body.success).toBe(true);
    return body.obj;
  }

  it("come with the create, equal to the panel's own clients/links, for every protocol: one call a client, no clients/get", async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    await adapter.createClients(targets.vless, [spec()], ctx()); // login, probe, inbound options, subscription base
    for (const target of [targets.vless, targets.vmess, targets.trojan, targets.ss]) {
      for (const specs of [[spec(), spec(), spec()], [spec()]]) {
        sim.resetRequestCounts();
        const created = await adapter.createClients(target, specs, ctx());
        expect(callsUnder(sim, 'GET /panel/api/clients/links/'), target.protocol).toBe(specs.length);
        // The read-back of a single create is its clients/get; a batch's is by page, and links need none.
        expect(callsUnder(sim, 'GET /panel/api/clients/get/'), target.protocol).toBe(specs.length === 1 ? 1 : 0);
        for (const [i, client] of created.entries()) {
          const { username, subId } = specs[i]!.identity;
          expect(client.links?.shareLinks, `${target.protocol} ${username}`).toEqual(await panelLinks(sim, username));
          expect(client.links?.shareLinks.length).toBeGreaterThan(0);
          expect(client.links?.subscriptionUrl).toBe(`http://vpn.example.test:2096/sub/${subId}`);
        }
      }
    }
  });

  it('a later attempt of a create (the first may have timed out on its links) returns none: the engine asks links apart', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const specs = [spec(), spec()];
    sim.resetRequestCounts();
    const created = await adapter.createClients(targets.vmess, specs, { ...ctx(), attempt: 2 });
    expect(created.map((client) => client.links)).toEqual([undefined, undefined]);
    expect(callsUnder(sim, 'GET /panel/api/clients/links/')).toBe(0);
    expect(created.map((client) => client.ref.username)).toEqual(specs.map((s) => s.identity.username));
  });

  it('links() asks the panel too: clients/get for the subId, then clients/links', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x' });
    const one = spec();
    const [created] = await adapter.createClients(targets.vless, [one], ctx());
    sim.resetRequestCounts();
    const { shareLinks, subscriptionUrl } = await adapter.links(created!.ref, ctx());
    expect(calls(sim, `GET /panel/api/clients/links/${one.identity.username}`)).toBe(1);
    expect(calls(sim, `GET /panel/api/clients/get/${one.identity.username}`)).toBe(1);
    expect(shareLinks).toHaveLength(1);
    expect(shareLinks[0]).toMatch(
      new RegExp(
        `^vless://${one.identity.uuid}@vpn\\.example\\.test:443\\?encryption=none&flow=xtls-rprx-vision&.*&type=tcp#VLESS-Reality-${one.identity.username}$`,
      ),
    );
    expect(subscriptionUrl).toBe(`http://vpn.example.test:2096/sub/${one.identity.subId}`);
    expect(created!.links).toEqual({ shareLinks, subscriptionUrl });
  });
});

describe("3x-ui subscription URL: from the panel's own subscription settings", () => {
  it('v2.x: read from panel/setting/defaultSettings (subDomain, subPort, subPath), once', async () => {
    const { sim, adapter, targets } = rig({ sim: { subscription: { domain: 'sub.example.net', port: 8443, path: '/s/' } } });
    const [a, b] = await adapter.createClients(targets.vless, [spec(), spec()], ctx());
    expect((await adapter.links(a!.ref, ctx())).subscriptionUrl).toMatch(/^http:\/\/sub\.example\.net:8443\/s\/[a-z0-9]+$/);
    await adapter.links(b!.ref, ctx());
    expect(calls(sim, 'POST /panel/setting/defaultSettings')).toBe(1);
  });

  it('an admin-set subURI is used as it is; TLS on 443 drops the port; the service switched off gives no URL', async () => {
    const proxied = rig({ sim: { subscription: { uri: 'https://cdn.example.org/feed/' } } });
    const [p] = await proxied.adapter.createClients(proxied.targets.vless, [spec()], ctx());
    expect((await proxied.adapter.links(p!.ref, ctx())).subscriptionUrl).toMatch(/^https:\/\/cdn\.example\.org\/feed\/[a-z0-9]+$/);
    const tls = rig({ sim: { subscription: { tls: true, port: 443 } } });
    const [t] = await tls.adapter.createClients(tls.targets.vless, [spec()], ctx());
    expect((await tls.adapter.links(t!.ref, ctx())).subscriptionUrl).toMatch(/^https:\/\/vpn\.example\.test\/sub\/[a-z0-9]+$/);
    const off = rig({ sim: { subscription: { enable: false } } });
    const [o] = await off.adapter.createClients(off.targets.vless, [spec()], ctx());
    expect((await off.adapter.links(o!.ref, ctx())).subscriptionUrl).toBeNull();
  });

  it('v3.6 with an API token: read from panel/api/setting/defaultSettings', async () => {
    const { sim, adapter, targets } = rig({ version: '3.6.x', token: true, sim: { subscription: { port: 2097, path: '/feed/' } } });
    const one = spec();
    const [created] = await adapter.createClients(targets.vless, [one], ctx());
    expect((await adapter.links(created!.ref, ctx())).subscriptionUrl).toBe(`http://vpn.example.test:2097/feed/${one.identity.subId}`);
    expect(calls(sim, 'POST /panel/api/setting/defaultSettings')).toBe(1);
  });

  it('v3.0 with an API token cannot read them (UI login only): no URL unless configured, and no lost-session loop', async () => {
    const { sim, adapter, targets } = rig({ version: '3.0.2', token: true });
    const [created] = await adapter.createClients(targets.vless, [spec()], ctx());
    expect((await adapter.links(created!.ref, ctx())).subscriptionUrl).toBeNull();
    expect(calls(sim, 'POST /panel/setting/defaultSettings')).toBe(0);
    const configured = rig({ version: '3.0.2', token: true, adapter: { links: { subscriptionBaseUrl: 'https://sub.example.org/s/' } } });
    const [c] = await configured.adapter.createClients(configured.targets.vless, [spec()], ctx());
    expect((await configured.adapter.links(c!.ref, ctx())).subscriptionUrl).toMatch(/^https:\/\/sub\.example\.org\/s\/[a-z0-9]+$/);
    expect(calls(configured.sim, 'POST /panel/api/setting/defaultSettings')).toBe(0);
  });
});
