/**
 * The adapter and the simulator against Remnawave's published API contract (`@remnawave/backend-contract`,
 * a devDependency: every route with its zod schemas). Every request the adapter makes must be a route of
 * the contract, with a body and query its request schemas accept, and every answer the simulator gives
 * must parse with that route's response schema. The simulator's error codes are the contract's `ERRORS`.
 */
import * as contract from '@remnawave/backend-contract';
import {
  CreateUserHwidDeviceCommand,
  ERRORS,
  GetInternalSquadCommand,
  GetUserByIdCommand,
  GetUsersCommand,
} from '@remnawave/backend-contract';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@panelkit/sdk/testing';
import { deriveRemoteIdentity } from '@panelkit/sdk';
import type { CallContext } from '@panelkit/sdk/adapter';
import { createRemnawaveAdapter, type RemnawaveAdapter } from '../../src/remnawave/index.js';
import { serveOnLocalhost, type RunningSimulator } from '../../src/simulators/harness/index.js';
import { createRemnawaveSimulator, type RemnawaveSimulator } from '../../src/simulators/remnawave/index.js';
import { SIM_ERRORS } from '../../src/simulators/remnawave/wire.js';

interface Command {
  name: string;
  method: string;
  pattern: RegExp;
  params: number;
  command: Record<string, unknown>;
}

/** Every command of the contract with a URL and a method, literal routes before ones with parameters. */
function commands(): Command[] {
  const found: Command[] = [];
  for (const [name, value] of Object.entries(contract)) {
    const command = value as Record<string, unknown> & { TSQ_url?: unknown; endpointDetails?: { REQUEST_METHOD?: string } };
    if (!name.endsWith('Command') || typeof command.TSQ_url !== 'string' || !command.endpointDetails?.REQUEST_METHOD) continue;
    const path = command.TSQ_url.replace(/\/$/, '');
    const source = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+');
    found.push({
      name,
      method: command.endpointDetails.REQUEST_METHOD.toUpperCase(),
      pattern: new RegExp(`^${source}/?$`),
      params: (path.match(/:/g) ?? []).length,
      command,
    });
  }
  return found.sort((a, b) => a.params - b.params);
}

interface Exchange {
  method: string;
  path: string;
  query: URLSearchParams;
  requestBody: unknown;
  status: number;
  responseText: string;
}

const TOKEN = 'contract-test-token';
const ALL = commands();
const ctx = (): CallContext => ({ signal: new AbortController().signal, idempotencyKey: 'contract' });

describe('remnawave: the published contract', () => {
  let sim: RemnawaveSimulator;
  let server: RunningSimulator;
  let adapter: RemnawaveAdapter;
  let exchanges: Exchange[];
  let clock: ManualClock;

  beforeEach(async () => {
    // The contract judges "expireAt in the past" by the real clock, so the panel's clock starts at real time.
    clock = new ManualClock(new Date());
    sim = createRemnawaveSimulator({ clock, apiToken: TOKEN });
    server = await serveOnLocalhost(sim.handle);
    exchanges = [];
    const recording: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      const response = await fetch(input, init);
      const text = await response.clone().text();
      exchanges.push({
        method: (init?.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: url.searchParams,
        requestBody: body,
        status: response.status,
        responseText: text,
      });
      return response;
    };
    adapter = createRemnawaveAdapter({
      baseUrl: server.origin,
      auth: { token: TOKEN },
      fetch: recording,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    });
  });

  afterEach(async () => {
    await server.close();
  });

  it('every request the adapter makes is a contract route, and every answer parses with its schema', async () => {
    const identity = deriveRemoteIdentity('contract-sub', 0, { secret: 'contract-test-identity-secret' });
    const at = (days: number) => new Date(clock.now().getTime() + days * 86_400_000);
    expect((await adapter.health(ctx())).ok).toBe(true);
    const [target] = await adapter.listTargets(ctx());
    const spec = {
      identity,
      expiry: { type: 'at' as const, at: at(30) },
      trafficLimitBytes: 5 * 2 ** 30,
      deviceLimit: 3,
      enabled: true,
      note: 'contract',
    };
    const [created] = await adapter.createClients(target!, [spec], ctx());
    await adapter.createClients(target!, [spec], ctx()); // adopts: the 400 A019 path
    await adapter.getClient(created!.ref, ctx());
    await adapter.updateClient(created!.ref, { expiry: { type: 'never' }, trafficLimitBytes: null, deviceLimit: null }, ctx());
    await adapter.updateClient(created!.ref, { enabled: false }, ctx());
    await adapter.updateClient(created!.ref, { enabled: true, expiry: { type: 'at', at: at(60) } }, ctx());
    await sim.addTraffic(identity.username, 10, 20);
    await adapter.resetUsage(created!.ref, ctx());
    await adapter.listClients({ limit: 1 }, ctx());
    await adapter.links(created!.ref, ctx());
    const device = { platform: 'android', osVersion: '14', model: 'Pixel 8', userAgent: 'Happ/3.13.0/Android' };
    await sim.fetchSubscriptionAs(identity.username, { hwid: 'contract0device01', ...device });
    await sim.fetchSubscriptionAs(identity.username, { hwid: 'contract0device02', ...device });
    expect(await adapter.listDevices(created!.ref, ctx())).toHaveLength(2);
    await adapter.removeDevice(created!.ref, 'contract0device01', ctx());
    await adapter.removeDevice(created!.ref, 'contract0device01', ctx()); // gone: the 404 A204 path
    await adapter.resetDevices(created!.ref, ctx());
    await adapter.deleteClient(created!.ref, ctx());
    await adapter.getClient(created!.ref, ctx());

    const seen = new Set<string>();
    for (const exchange of exchanges) {
      const match = ALL.find((command) => command.method === exchange.method && command.pattern.test(exchange.path));
      expect(match, `${exchange.method} ${exchange.path} is a route of the contract`).toBeDefined();
      const { command, name } = match!;
      seen.add(name);
      const requestBody = command.RequestBodySchema as { safeParse(value: unknown): { success: boolean; error?: unknown } } | undefined;
      if (requestBody !== undefined) {
        const parsed = requestBody.safeParse(exchange.requestBody);
        expect(parsed.success, `${name} request body: ${JSON.stringify(parsed.error)}`).toBe(true);
      }
      const requestQuery = command.RequestQuerySchema as { safeParse(value: unknown): { success: boolean } } | undefined;
      if (requestQuery !== undefined)
        expect(requestQuery.safeParse(Object.fromEntries(exchange.query)).success, `${name} query`).toBe(true);
      const responseSchema = command.ResponseSchema as { safeParse(value: unknown): { success: boolean; error?: unknown } } | undefined;
      if (exchange.status >= 200 && exchange.status < 300 && responseSchema !== undefined) {
        const parsed = responseSchema.safeParse(JSON.parse(exchange.responseText));
        expect(parsed.success, `${name} response: ${JSON.stringify(parsed.error)}`).toBe(true);
      }
    }
    // The scenario reached every route the adapter uses.
    expect([...seen].sort()).toEqual(
      [
        'CreateUserCommand',
        'DeleteAllUserHwidDevicesCommand',
        'DeleteUserCommand',
        'DeleteUserHwidDeviceCommand',
        'DisableUserCommand',
        'EnableUserCommand',
        'GetInternalSquadsCommand',
        'GetMetadataCommand',
        'GetSubscriptionByUsernameCommand',
        'GetUserByUsernameCommand',
        'GetUserHwidDevicesCommand',
        'GetUsersStreamCommand',
        'ResetUserTrafficCommand',
        'UpdateUserCommand',
      ].sort(),
    );
  });

  it("the simulator's other routes answer with the contract's shapes", async () => {
    const headers = { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'https' };
    const get = async (path: string) => (await fetch(`${server.origin}${path}`, { headers })).json();
    const squad = [...sim.squads.keys()][0]!;
    const created = await fetch(`${server.origin}/api/users`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'plain_user',
        expireAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        activeInternalSquads: [squad],
      }),
    });
    expect(created.status).toBe(201);
    const { response } = (await created.json()) as { response: { id: number } };
    const check = (name: string, schema: { safeParse(value: unknown): { success: boolean; error?: unknown } }, body: unknown) => {
      const parsed = schema.safeParse(body);
      expect(parsed.success, `${name}: ${JSON.stringify(parsed.error)}`).toBe(true);
    };
    check('GetUsersCommand', GetUsersCommand.ResponseSchema, await get('/api/users?start=0&size=10'));
    check('GetUserByIdCommand', GetUserByIdCommand.ResponseSchema, await get(`/api/users/${response.id}`));
    check('GetInternalSquadCommand', GetInternalSquadCommand.ResponseSchema, await get(`/api/internal-squads/${squad}`));
    const device = { hwid: 'contract0device03', userId: response.id, platform: 'ios', deviceModel: 'iPhone15,2' };
    expect(CreateUserHwidDeviceCommand.RequestBodySchema.safeParse(device).success).toBe(true);
    const registered = await fetch(`${server.origin}/api/hwid/devices`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(device),
    });
    check('CreateUserHwidDeviceCommand', CreateUserHwidDeviceCommand.ResponseSchema, await registered.json());
  });

  it("the simulator's error codes, texts and statuses are the contract's ERRORS", () => {
    const errors = ERRORS as Record<string, { code: string; message: string; httpCode: number }>;
    for (const [key, error] of Object.entries(SIM_ERRORS)) {
      if (error.code.startsWith('E')) continue; // the guards' E401/E403 are not in ERRORS
      expect(errors[key], key).toBeDefined();
      expect({ code: error.code, message: error.message, httpCode: error.httpCode }).toEqual({
        code: errors[key]!.code,
        message: errors[key]!.message,
        httpCode: errors[key]!.httpCode,
      });
    }
  });
});
