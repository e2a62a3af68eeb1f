/**
 * Optional contract check against the shared S-UI fixtures (`shared/panels/fixtures/s-ui`,
 * constructed from alireza0/s-ui v1.5.1 source; no recorded S-UI traffic exists publicly). Skips,
 * saying so, when the fixtures are not there. Point `PANELKIT_FIXTURES` at the `fixtures` folder,
 * or keep `shared/` beside or above the repository.
 *
 * Checks: every response the adapter reads parses through its schemas; the panel's error messages
 * map to the right typed errors; the simulator's rows have the same fields, in the same order.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock, PanelAuthError, PanelNotFoundError, PanelRejectedError, PanelUnsupportedError } from '@panelkit/sdk';
import { describe, expect, it } from 'vitest';
import { createSuiSimulator } from '../../src/simulators/sui/index.js';
import { envelopeError } from '../../src/sui/api.js';
import {
  SuiClientListSchema,
  SuiEnvelopeSchema,
  SuiFullClientListSchema,
  SuiInboundListSchema,
  SuiOnlinesSchema,
  SuiSaveClientsResultSchema,
  SuiStatusSchema,
} from '../../src/sui/schemas.js';

function findFixtures(): string | null {
  const fromEnv = process.env.PANELKIT_FIXTURES;
  if (fromEnv && existsSync(join(fromEnv, 's-ui'))) return join(fromEnv, 's-ui');
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = resolve(dir, '..')) {
    const candidate = join(dir, 'shared', 'panels', 'fixtures', 's-ui');
    if (existsSync(candidate)) return candidate;
    if (resolve(dir, '..') === dir) return null;
  }
}

const root = findFixtures();

interface Exchange {
  request: { method: string; path: string; query?: Record<string, string>; form?: Record<string, string> };
  response: { status: number; body: unknown };
}

function load(name: string): Exchange {
  return JSON.parse(readFileSync(join(root!, `${name}.exchange.json`), 'utf8')) as Exchange;
}

function envelopeOf(name: string): { success: boolean; msg: string; obj: unknown } {
  return SuiEnvelopeSchema.parse(load(name).response.body);
}

describe.skipIf(root === null)(`S-UI contract fixtures${root === null ? ' (skipped: shared/panels/fixtures not found)' : ''}`, () => {
  it('finds the exchanges it checks', () => {
    const names = readdirSync(root!).filter((name) => name.endsWith('.exchange.json'));
    expect(names.length).toBeGreaterThanOrEqual(20);
  });

  it('parses every read the adapter makes', () => {
    expect(SuiClientListSchema.parse(envelopeOf('apiv2-clients-list').obj).clients).toHaveLength(2);
    const full = SuiFullClientListSchema.parse(envelopeOf('apiv2-clients-get-by-id').obj).clients[0]!;
    expect(full.links[0]!.uri).toMatch(/^vless:\/\//);
    expect(Object.keys(full.config)).toContain('shadowsocks16');
    expect(SuiInboundListSchema.parse(envelopeOf('apiv2-inbounds-list').obj).inbounds.map((i) => i.type)).toEqual(['vless', 'hysteria2']);
    expect(SuiStatusSchema.parse(envelopeOf('apiv2-status').obj).sys?.appVersion).toBe('1.5.1');
    expect(SuiOnlinesSchema.parse(envelopeOf('apiv2-onlines').obj).user).toEqual(['alice']);
    expect(SuiOnlinesSchema.parse(envelopeOf('apiv2-onlines-nobody').obj).user).toBeUndefined();
  });

  it('parses the save answers', () => {
    for (const name of ['apiv2-save-clients-new', 'apiv2-save-clients-edit']) {
      const result = SuiSaveClientsResultSchema.parse(envelopeOf(name).obj);
      expect(result.clients.find((c) => c.name === 'dave')?.id).toBe(5);
    }
  });

  it('maps the panel error answers to typed errors', () => {
    const context = { panelKind: 's-ui', operation: 'contract' };
    const error = (name: string) => envelopeError(envelopeOf(name).msg, context);
    expect(PanelAuthError.is(error('apiv2-invalid-token'))).toBe(true);
    expect(PanelNotFoundError.is(error('apiv2-save-error-not-found'))).toBe(true);
    expect(PanelUnsupportedError.is(error('apiv2-save-error-unknown-action'))).toBe(true);
    expect(PanelRejectedError.is(error('apiv2-save-error-missing-links'))).toBe(true);
  });

  it('the simulator answers the same requests with the same messages and row fields', async () => {
    const sim = createSuiSimulator({ version: '1.5.1', token: 't', clock: new ManualClock() });
    const send = async (exchange: Exchange) => {
      const url = new URL(`http://vpn.example.com:2095${exchange.request.path}`);
      for (const [key, value] of Object.entries(exchange.request.query ?? {})) url.searchParams.set(key, value);
      const init: RequestInit = { method: exchange.request.method, headers: { Token: 't' } };
      if (exchange.request.form) {
        init.headers = { Token: 't', 'content-type': 'application/x-www-form-urlencoded' };
        init.body = new URLSearchParams(exchange.request.form);
      }
      return (await (await sim.handle(new Request(url, init))).json()) as { success: boolean; msg: string; obj: { clients: Record<string, unknown>[] } };
    };
    for (const name of ['apiv2-save-error-missing-links', 'apiv2-save-error-unknown-action', 'apiv2-save-error-not-found']) {
      const exchange = load(name);
      expect(await send(exchange), name).toEqual(exchange.response.body);
    }
    const created = await send(load('apiv2-save-clients-new'));
    const fixtureRow = (envelopeOf('apiv2-save-clients-new').obj as { clients: Record<string, unknown>[] }).clients[0]!;
    expect(Object.keys(created.obj.clients[0]!)).toEqual(Object.keys(fixtureRow));
    const id = created.obj.clients[0]!.id;
    const fullFixture = (envelopeOf('apiv2-clients-get-by-id').obj as { clients: Record<string, unknown>[] }).clients[0]!;
    const full = await send({ request: { method: 'GET', path: '/app/apiv2/clients', query: { id: String(id) } }, response: { status: 200, body: null } });
    expect(Object.keys(full.obj.clients[0]!)).toEqual(Object.keys(fullFixture));
    const badToken = load('apiv2-invalid-token');
    const response = await sim.handle(new Request(`http://vpn.example.com:2095${badToken.request.path}`, { headers: { Token: 'bogus' } }));
    expect(await response.json()).toEqual(badToken.response.body);
  });
});
