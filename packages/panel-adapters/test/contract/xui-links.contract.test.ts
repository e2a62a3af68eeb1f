import { expect, it } from 'vitest';
import { buildShareLinks } from '../../src/xui/links/share-links.js';
import type { LinkClient, LinkInbound } from '../../src/xui/links/share-links.js';
import { describeFixtures, readFixture } from './fixtures.js';

interface GoVector {
  name: string;
  email: string;
  inbound: LinkInbound & { settings: { clients?: LinkClient[] } };
  expected?: string;
  expectedContains?: string[];
}

interface Vectors {
  go_sub_service_characterization: GoVector[];
  frontend_golden_snapshots: { host: string; remark: string; expected: Record<string, string> };
}

const VECTORS = '3x-ui/source-tests/share-links-test-vectors.json';

function clientOf(inbound: GoVector['inbound'], email?: string): LinkClient {
  const clients = inbound.settings.clients ?? [];
  const client = email === undefined ? clients[0] : clients.find((c) => c.email === email);
  if (client === undefined) throw new Error(`no client ${email ?? '(first)'} in the vector's inbound`);
  return client;
}

/**
 * A link reduced to what a client app connects with: scheme, userinfo, host, port and the query as
 * a sorted set, without the display name (`#fragment`, vmess `ps`) and without `spx` (which the
 * panel derives per call site) and without the keys in `ignore`. Used against the UI generator's snapshots, whose query order and
 * remark differ from the subscription service's by design.
 */
function connectionOf(link: string, ignore: readonly string[] = []): unknown {
  if (link.startsWith('vmess://')) {
    const json = JSON.parse(Buffer.from(link.slice(8), 'base64').toString('utf8')) as Record<string, unknown>;
    delete json['ps'];
    return { scheme: 'vmess', ...json };
  }
  const url = new URL(link);
  const query = [...url.searchParams.entries()]
    .filter(([key]) => key !== 'spx' && !ignore.includes(key))
    .sort(([a], [b]) => a.localeCompare(b));
  return {
    scheme: url.protocol,
    userinfo: url.username + (url.password ? `:${url.password}` : ''),
    host: url.hostname,
    port: url.port,
    query,
  };
}

describeFixtures('contract: 3x-ui share-link test vectors', '3x-ui/source-tests', () => {
  const vectors = (): Vectors => readFixture(VECTORS) as Vectors;

  it('the subscription service vectors (Go characterization tests, v3.6.0) come out byte for byte', () => {
    const exact = vectors().go_sub_service_characterization.filter((v) => v.expected !== undefined);
    expect(exact.length).toBeGreaterThan(0);
    for (const vector of exact) {
      const links = buildShareLinks(vector.inbound, clientOf(vector.inbound, vector.email), { style: 'v3', host: 'unused.invalid' });
      expect(links.join('\n'), vector.name).toBe(vector.expected);
    }
  });

  it('the Reality vector with a random spx holds every expected part', () => {
    const partial = vectors().go_sub_service_characterization.filter((v) => v.expectedContains !== undefined);
    expect(partial.length).toBeGreaterThan(0);
    for (const vector of partial) {
      const joined = buildShareLinks(vector.inbound, clientOf(vector.inbound, vector.email), { style: 'v3', host: 'unused.invalid' }).join(
        '\n',
      );
      for (const part of vector.expectedContains!) expect(joined, `${vector.name}: ${part}`).toContain(part);
    }
  });

  it('the panel UI snapshots (golden inbounds) carry the same connection data', () => {
    const { host, expected } = vectors().frontend_golden_snapshots;
    for (const [label, link] of Object.entries(expected)) {
      const name = label.split(' ')[0]!;
      const inbound = readFixture(`3x-ui/source-tests/inbound-full-${name}.json`) as GoVector['inbound'];
      const built = buildShareLinks(inbound, clientOf(inbound), { style: 'v3', host });
      expect(built.length, name).toBeGreaterThan(0);
      // Reality: the panel picks sni and sid at random from these lists on every request; the
      // snapshot holds one pick, the adapter a stable one. Both must come from the lists.
      const reality = (inbound.streamSettings as { realitySettings?: { serverNames?: string[]; shortIds?: string[] } }).realitySettings;
      const picks = reality === undefined ? [] : ['sni', 'sid'];
      if (reality !== undefined) {
        const query = new URL(built[0]!).searchParams;
        expect(reality.serverNames, `${name}: sni`).toContain(query.get('sni'));
        expect(reality.shortIds, `${name}: sid`).toContain(query.get('sid'));
      }
      expect(connectionOf(built[0]!, picks), name).toEqual(connectionOf(link, picks));
    }
  });
});
