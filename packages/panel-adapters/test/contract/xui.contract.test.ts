import { PanelConflictError, PanelNotFoundError } from '@panelkit/sdk';
import { expect, it } from 'vitest';
import { classifyMessage, envelopeError } from '../../src/xui/api.js';
import { expiryFromXui } from '../../src/xui/mapping.js';
import {
  ClientGetSchema,
  ClientPageSchema,
  ClientRecordSchema,
  ClientTrafficSchema,
  CsrfTokenSchema,
  EnvelopeSchema,
  InboundListSchema,
  InboundOptionsSchema,
  InboundSchema,
  LinksSchema,
  ServerStatusSchema,
} from '../../src/xui/schemas.js';
import type { Inbound } from '../../src/xui/schemas.js';
import { describeFixtures, expectParses, objectExchanges, readExchange, readFixture } from './fixtures.js';

function obj(file: string): unknown {
  const envelope = expectParses(EnvelopeSchema, readExchange(`3x-ui/${file}`).body, file);
  expect(envelope.success, `${file} is a success envelope`).toBe(true);
  return envelope.obj;
}

function recordedObj(file: string): unknown {
  const envelope = expectParses(EnvelopeSchema, readFixture(`3x-ui/recorded-py3xui/${file}`), file);
  expect(envelope.success).toBe(true);
  return envelope.obj;
}

/** Every client of every inbound: an email, and an expiry in ms that reads back in the port's terms. */
function expectClients(inbounds: readonly Inbound[]): number {
  let count = 0;
  for (const inbound of inbounds) {
    for (const client of inbound.settings.clients ?? []) {
      count++;
      expect(client.email.length).toBeGreaterThan(0);
      const ms = client.expiryTime ?? 0;
      const expiry = expiryFromXui(ms);
      if (ms === 0) expect(expiry).toEqual({ type: 'never' });
      else if (ms < 0) expect(expiry).toEqual({ type: 'after_first_use', durationMs: -ms });
      else expect(expiry).toEqual({ type: 'at', at: new Date(ms) });
    }
  }
  return count;
}

describeFixtures('contract: 3x-ui fixtures', '3x-ui', () => {
  for (const folder of ['3x-ui/v2', '3x-ui/v3']) {
    for (const file of objectExchanges(folder)) {
      it(`${folder.slice(6)}/${file}: the body is the {success, msg, obj} envelope`, () => {
        expectParses(EnvelopeSchema, readExchange(`${folder}/${file}`).body, file);
      });
    }
  }

  it('Gen A (v2): inbounds with settings as JSON strings, a start-on-first-use client, traffic rows, status', () => {
    const inbounds = expectParses(InboundListSchema, obj('v2/inbounds-list.exchange.json'), 'inbounds list');
    expect(expectClients(inbounds)).toBeGreaterThan(0);
    const clients = inbounds.flatMap((inbound) => inbound.settings.clients ?? []);
    expect(
      clients.some((client) => (client.expiryTime ?? 0) < 0),
      'the fixture has a start-on-first-use client',
    ).toBe(true);
    expectParses(InboundSchema, obj('v2/inbounds-get-id.exchange.json'), 'inbound by id');
    expectParses(ClientTrafficSchema, obj('v2/inbounds-getClientTraffics.exchange.json'), 'client traffic');
    expectParses(ClientTrafficSchema.array(), obj('v2/inbounds-getClientTrafficsById.exchange.json'), 'traffic by id');
    expectParses(ServerStatusSchema, obj('v2/server-status.exchange.json'), 'server status');
  });

  it('Gen B (v3): inbounds with object settings, client records, links, the CSRF token', () => {
    expectClients(expectParses(InboundListSchema, obj('v3/inbounds-list.exchange.json'), 'inbounds list'));
    const got = expectParses(ClientGetSchema, obj('v3/clients-get.exchange.json'), 'clients get');
    expect(got.client.email).toBe('dave');
    expect(expectParses(ClientRecordSchema.array(), obj('v3/clients-list.exchange.json'), 'clients list').length).toBeGreaterThan(0);
    expectParses(ClientTrafficSchema, obj('v3/clients-traffic.exchange.json'), 'clients traffic');
    expect(expectParses(LinksSchema, obj('v3/clients-links.exchange.json'), 'links')?.length).toBeGreaterThan(0);
    expectParses(CsrfTokenSchema, readExchange('3x-ui/v3/csrf-token.exchange.json').body, 'csrf-token');
  });

  it('real panels (py3xui recordings, v2.0–2.2): inbounds, inbound by id, traffic rows', () => {
    expect(expectClients(expectParses(InboundListSchema, recordedObj('inbounds-list.json'), 'recorded inbounds'))).toBeGreaterThan(0);
    expectParses(InboundSchema, recordedObj('inbounds-get-id.json'), 'recorded inbound by id');
    expectParses(ClientTrafficSchema, recordedObj('inbounds-getClientTraffics-email.json'), 'recorded traffic');
    expectParses(ClientTrafficSchema.array(), recordedObj('inbounds-getClientTrafficsById-id.json'), 'recorded traffic by id');
  });

  it('the maintainer examples (OpenAPI v3.6.0) for the paged client list and the inbound options parse', () => {
    const example = (file: string): unknown => {
      const operation = readFixture(`3x-ui/openapi-v3.6.0/${file}`) as { responseExamples: { '200': unknown } };
      const envelope = expectParses(EnvelopeSchema, operation.responseExamples['200'], file);
      expect(envelope.success, `${file} is a success envelope`).toBe(true);
      return envelope.obj;
    };
    expectParses(ClientPageSchema, example('get-clients-list-paged.json'), 'paged client list');
    expectParses(InboundOptionsSchema, example('get-inbounds-options.json'), 'inbound options');
  });

  it("3x-ui's golden inbounds (v3 object shape) parse", () => {
    for (const name of ['vless-tcp-reality', 'vless-ws-tls', 'trojan-ws-tls', 'vmess-tcp-tls', 'shadowsocks-tcp-2022']) {
      expectParses(InboundSchema, readFixture(`3x-ui/source-tests/inbound-full-${name}.json`), name);
    }
  });

  it('failure messages the adapter acts on are classified, and map to the taxonomy', () => {
    const context = { panelKind: '3x-ui', operation: 'contract' };
    const cases: [string, ReturnType<typeof classifyMessage>][] = [
      ['v2/inbounds-addClient-duplicate-email.exchange.json', 'duplicate'],
      ['v3/clients-add-email-in-use.exchange.json', 'duplicate'],
      ['v2/inbounds-addClient-inbound-not-found.exchange.json', 'not_found'],
      ['v2/inbounds-get-id-not-found.exchange.json', 'not_found'],
      ['v2/inbounds-getClientTraffics-not-found-v2.8.3plus.exchange.json', 'not_found'],
      ['v2/inbounds-delClientByEmail-not-found.exchange.json', 'not_found'],
      ['v3/clients-get-not-found.exchange.json', 'not_found'],
      ['v3/clients-del-not-found.exchange.json', 'not_found'],
      ['v2/inbounds-delClient-last-client.exchange.json', 'last_client'],
      ['v2/inbounds-addClient-empty-client-id.exchange.json', 'empty_client_id'],
      ['v2/inbounds-updateClient-unknown-client.exchange.json', 'empty_client_id'],
    ];
    for (const [file, failure] of cases) {
      const envelope = expectParses(EnvelopeSchema, readExchange(`3x-ui/${file}`).body, file);
      expect(envelope.success).toBe(false);
      expect(classifyMessage(envelope.msg ?? ''), file).toBe(failure);
      const error = envelopeError(failure, envelope.msg ?? '', context);
      expect(error.retryable, file).toBe(false);
      if (failure === 'duplicate') expect(PanelConflictError.is(error)).toBe(true);
      if (failure === 'not_found') expect(PanelNotFoundError.is(error)).toBe(true);
    }
  });
});
