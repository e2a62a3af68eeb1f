/**
 * 3x-ui against the shared fixtures (read in place, never copied): recorded and source-derived
 * responses parse through the adapter's schemas, `success:false` messages classify as the adapter
 * expects, and the upstream share-link test vectors come out of the link builder.
 */
import { expect, it } from 'vitest';
import { z } from 'zod';
import { classifyMessage } from '../../src/xui/api.js';
import { buildShareLinks, type LinkInbound } from '../../src/xui/links/share-links.js';
import {
  ClientGetSchema,
  ClientPageSchema,
  ClientTrafficSchema,
  EnvelopeSchema,
  InboundListSchema,
  InboundOptionsSchema,
  InboundSchema,
} from '../../src/xui/schemas.js';
import { describeFixtures, expectParses, listFixtures, readExchange, readFixture } from '../contract/fixtures.js';

describeFixtures('3x-ui fixture contract', '3x-ui', () => {
  it('recorded py3xui responses (v2.0–2.2 era) parse', () => {
    const list = expectParses(EnvelopeSchema, readFixture('3x-ui/recorded-py3xui/inbounds-list.json'), 'inbounds-list');
    const inbounds = expectParses(InboundListSchema, list.obj, 'inbounds-list obj');
    expect(inbounds.length).toBeGreaterThan(0);
    expect(inbounds[0]!.settings.clients?.length).toBeGreaterThan(0);
    const one = expectParses(EnvelopeSchema, readFixture('3x-ui/recorded-py3xui/inbounds-get-id.json'), 'inbounds-get-id');
    expectParses(InboundSchema, one.obj, 'inbounds-get-id obj');
    const traffic = expectParses(EnvelopeSchema, readFixture('3x-ui/recorded-py3xui/inbounds-getClientTraffics-email.json'), 'getClientTraffics');
    expectParses(ClientTrafficSchema, traffic.obj, 'getClientTraffics obj');
  });

  it.each([
    ['3x-ui/v2/inbounds-list.exchange.json', InboundListSchema],
    ['3x-ui/v2/inbounds-get-id.exchange.json', InboundSchema],
    ['3x-ui/v2/inbounds-getClientTraffics.exchange.json', ClientTrafficSchema],
    ['3x-ui/v3/inbounds-list.exchange.json', InboundListSchema],
    ['3x-ui/v3/clients-get.exchange.json', ClientGetSchema],
    ['3x-ui/v3/clients-traffic.exchange.json', ClientTrafficSchema],
    ['3x-ui/v3/clients-links.exchange.json', z.array(z.string())],
  ] as const)('%s parses', (file, schema) => {
    const envelope = expectParses(EnvelopeSchema, readExchange(file).body, file);
    expect(envelope.success).toBe(true);
    expectParses(schema as z.ZodType, envelope.obj, `${file} obj`);
  });

  it('maintainer examples for the paged client list and the inbound options parse', () => {
    const paged = readFixture('3x-ui/openapi-v3.6.0/get-clients-list-paged.json') as { responseExamples: { '200': unknown } };
    expectParses(ClientPageSchema, expectParses(EnvelopeSchema, paged.responseExamples['200'], 'paged').obj, 'paged obj');
    const options = readFixture('3x-ui/openapi-v3.6.0/get-inbounds-options.json') as { responseExamples: { '200': unknown } };
    expectParses(InboundOptionsSchema, expectParses(EnvelopeSchema, options.responseExamples['200'], 'options').obj, 'options obj');
  });

  it('classifies every success:false message the fixtures hold', () => {
    const expected: Record<string, string> = {
      'inbounds-addClient-duplicate-email': 'duplicate',
      'clients-add-email-in-use': 'duplicate',
      'inbounds-addClient-inbound-not-found': 'not_found',
      'inbounds-get-id-not-found': 'not_found',
      'inbounds-getClientTraffics-not-found-v2.8.3plus': 'not_found',
      'inbounds-delClientByEmail-not-found': 'not_found',
      'clients-get-not-found': 'not_found',
      'clients-del-not-found': 'not_found',
      'inbounds-delClient-last-client': 'last_client',
      'inbounds-updateClient-unknown-client': 'empty_client_id',
      'inbounds-addClient-empty-client-id': 'empty_client_id',
    };
    let checked = 0;
    for (const folder of ['3x-ui/v2', '3x-ui/v3']) {
      for (const file of listFixtures(folder, '.exchange.json')) {
        const name = file.replace('.exchange.json', '');
        if (!(name in expected)) continue;
        const body = readExchange(`${folder}/${file}`).body as { success: boolean; msg: string };
        expect(body.success, name).toBe(false);
        expect(classifyMessage(body.msg), name).toBe(expected[name]);
        checked++;
      }
    }
    expect(checked).toBe(Object.keys(expected).length);
  });

  it('the Go subscription service vectors (v3) come out of the link builder', () => {
    const vectors = readFixture('3x-ui/source-tests/share-links-test-vectors.json') as {
      go_sub_service_characterization: { name: string; email: string; inbound: LinkInbound & { settings: { clients: { email: string }[] } }; expected?: string; expectedContains?: string[] }[];
    };
    for (const vector of vectors.go_sub_service_characterization) {
      const client = vector.inbound.settings.clients.find((c) => c.email === vector.email)!;
      const got = buildShareLinks(vector.inbound, client, { style: 'v3', host: 'unused.example' }).join('\n');
      if (vector.expected !== undefined) expect(got, vector.name).toBe(vector.expected);
      for (const part of vector.expectedContains ?? []) expect(got, vector.name).toContain(part);
    }
  });

  it('the panel UI golden links match the builder up to query order, remark and the random spx', () => {
    const vectors = readFixture('3x-ui/source-tests/share-links-test-vectors.json') as { frontend_golden_snapshots: { host: string; expected: Record<string, string> } };
    const { host, expected } = vectors.frontend_golden_snapshots;
    for (const [label, link] of Object.entries(expected)) {
      const name = label.split(' ')[0]!;
      const inbound = readFixture(`3x-ui/source-tests/inbound-full-${name}.json`) as LinkInbound & { settings: { clients: { email: string }[] } };
      const [got] = buildShareLinks(inbound, inbound.settings.clients[0]!, { style: 'v3', host });
      expect(normalise(got!), name).toEqual(normalise(link));
      // Reality's sni and sid are picks from the inbound's lists (the panel picks at random).
      const reality = (inbound.streamSettings as { realitySettings?: { serverNames: string[]; shortIds: string[] } }).realitySettings;
      if (reality) {
        expect(reality.serverNames.map((n) => `sni=${n}`)).toContain(/sni=[^&#]*/.exec(got!)![0]);
        expect(reality.shortIds.map((n) => `sid=${n}`)).toContain(/sid=[^&#]*/.exec(got!)![0]);
      }
    }
  });
});

/** A link without its remark and random parts (spx; Reality's sni/sid), query sorted (vmess: the decoded JSON without `ps`). */
function normalise(link: string): unknown {
  if (link.startsWith('vmess://')) {
    const { ps: _ps, ...rest } = JSON.parse(Buffer.from(link.slice(8), 'base64').toString('utf8')) as Record<string, unknown>;
    return rest;
  }
  const [head, query = ''] = link.split('#')[0]!.split('?');
  const reality = query.includes('security=reality');
  const params = query
    .split('&')
    .filter((p) => p !== '' && !p.startsWith('spx=') && !(reality && (p.startsWith('sni=') || p.startsWith('sid='))))
    .sort();
  return { head, params };
}
