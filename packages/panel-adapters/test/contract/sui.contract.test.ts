import { PanelAuthError, PanelNotFoundError, PanelRejectedError, PanelUnsupportedError } from '@panelkit/sdk';
import { expect, it } from 'vitest';
import { envelopeError } from '../../src/sui/api.js';
import { toRemoteClient } from '../../src/sui/mapping.js';
import {
  SuiClientListSchema,
  SuiEnvelopeSchema,
  SuiFullClientListSchema,
  SuiInboundListSchema,
  SuiOnlinesSchema,
  SuiSaveClientsResultSchema,
} from '../../src/sui/schemas.js';
import type { SuiClientRow } from '../../src/sui/schemas.js';
import { describeFixtures, expectParses, objectExchanges, readExchange } from './fixtures.js';

const target = { remoteRef: '1', protocol: 'vless', remoteMeta: {} };

function obj(file: string): unknown {
  const envelope = expectParses(SuiEnvelopeSchema, readExchange(`s-ui/${file}`).body, file);
  expect(envelope.success, `${file} is a success envelope`).toBe(true);
  return envelope.obj;
}

/** Units at the edge: `expiry` unix seconds (0 = never), `volume` bytes (0 = unlimited), up + down. */
function expectMapped(row: SuiClientRow): void {
  const client = toRemoteClient(row, target);
  expect(client.ref.username).toBe(row.name);
  expect(client.enabled).toBe(row.enable);
  expect(client.usedBytes).toBe(row.up + row.down);
  expect(client.trafficLimitBytes).toBe(row.volume > 0 ? row.volume : null);
  if (row.expiry > 0) expect(client.expiry).toEqual({ type: 'at', at: new Date(row.expiry * 1000) });
}

describeFixtures('contract: s-ui fixtures', 's-ui', () => {
  for (const file of objectExchanges('s-ui')) {
    it(`${file}: the body is the {success, msg, obj} envelope`, () => {
      expectParses(SuiEnvelopeSchema, readExchange(`s-ui/${file}`).body, file);
    });
  }

  it('the client list (lossy rows) and a client by id (full row) parse and map in seconds and bytes', () => {
    const list = expectParses(SuiClientListSchema, obj('apiv2-clients-list.exchange.json'), 'clients list');
    expect(list.clients.length).toBeGreaterThan(0);
    for (const row of list.clients) expectMapped(row);
    const full = expectParses(SuiFullClientListSchema, obj('apiv2-clients-get-by-id.exchange.json'), 'client by id');
    expect(full.clients).toHaveLength(1);
    expect(Object.keys(full.clients[0]!.config).length).toBeGreaterThan(0);
    expectMapped(full.clients[0]!);
  });

  it('save answers (new, edit) parse as the full client list', () => {
    for (const file of ['apiv2-save-clients-new.exchange.json', 'apiv2-save-clients-edit.exchange.json']) {
      const result = expectParses(SuiSaveClientsResultSchema, obj(file), file);
      expect(result.clients.length).toBeGreaterThan(0);
    }
  });

  it('inbounds and onlines parse', () => {
    const inbounds = expectParses(SuiInboundListSchema, obj('apiv2-inbounds-list.exchange.json'), 'inbounds');
    expect(inbounds.inbounds.length).toBeGreaterThan(0);
    expectParses(SuiOnlinesSchema, obj('apiv2-onlines.exchange.json'), 'onlines');
    expectParses(SuiOnlinesSchema, obj('apiv2-onlines-nobody.exchange.json'), 'onlines (nobody)');
  });

  it('failure envelopes map to the taxonomy with retryable right', () => {
    const context = { panelKind: 's-ui', operation: 'contract' };
    const errorOf = (file: string) => {
      const envelope = expectParses(SuiEnvelopeSchema, readExchange(`s-ui/${file}`).body, file);
      expect(envelope.success).toBe(false);
      return envelopeError(envelope.msg, context);
    };
    const invalidToken = errorOf('apiv2-invalid-token.exchange.json');
    expect(PanelAuthError.is(invalidToken) && !invalidToken.retryable).toBe(true);
    const unauthenticated = errorOf('api-unauthenticated-xhr.exchange.json');
    expect(PanelAuthError.is(unauthenticated)).toBe(true);
    const notFound = errorOf('apiv2-save-error-not-found.exchange.json');
    expect(PanelNotFoundError.is(notFound) && !notFound.retryable).toBe(true);
    const unknownAction = errorOf('apiv2-save-error-unknown-action.exchange.json');
    expect(PanelUnsupportedError.is(unknownAction) && !unknownAction.retryable).toBe(true);
    const badRequest = errorOf('apiv2-save-error-missing-links.exchange.json');
    expect(PanelRejectedError.is(badRequest) && !badRequest.retryable).toBe(true);
  });
});
