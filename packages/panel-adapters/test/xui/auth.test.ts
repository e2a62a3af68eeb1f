/** 3x-ui sessions: the probe, CSRF, every "auth lost" signal, base paths, headers, and no secrets in logs. */
import { PanelAuthError, type Logger } from '@panelkit/sdk';
import { http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { PanelRequest, PanelResponse } from '../../src/http/index.js';
import { XuiSession } from '../../src/xui/session.js';
import { BASE_PATH, ctx, ORIGIN, PASSWORD, rig, server, spec, TOKEN, useMsw } from './setup.js';

useMsw();

function response(status: number, body = '', contentType = 'application/json'): PanelResponse {
  return { status, body, headers: new Headers(body ? { 'content-type': contentType } : {}) };
}
const get: PanelRequest = { operation: 'getClient', method: 'GET', path: 'panel/api/inbounds/get/1' };

describe('3x-ui auth-lost signals', () => {
  const session = new XuiSession({ username: 'a', password: 'b' }, () => {
    throw new Error('not used');
  });
  it.each([
    [
      '401 (pre-v2.8.4 XHR, v3.1+ XHR)',
      response(401, '{"success":false,"msg":"Your session has expired, please log in again","obj":null}'),
      true,
    ],
    ['307 redirect to the login page (pre-v2.8.4)', response(307), true],
    ['302 redirect', response(302), true],
    ['404 with an empty body (v2.8.4+, bad token)', response(404), true],
    ['403 with an empty body (CSRF token lost, v3.0+)', response(403), true],
    ['200 HTML (a client that followed the redirect)', response(200, '<!DOCTYPE html><html></html>', 'text/html'), true],
    ['404 with a body (a route that does not exist)', response(404, '404 page not found', 'text/plain'), false],
    [
      '403 with a JSON body (token scope)',
      response(403, '{"success":false,"msg":"this API token is not permitted to access this endpoint"}'),
      false,
    ],
    ['200 JSON', response(200, '{"success":true,"msg":"","obj":null}'), false],
    ['503', response(503, 'Service Unavailable', 'text/plain'), false],
  ])('%s → lost: %s', (_name, res, lost) => {
    expect(session.isAuthLost(res, get)).toBe(lost);
  });

  it('a 404 on the generation probe is "no such route", not "logged out"', () => {
    expect(session.isAuthLost(response(404), { ...get, operation: 'probe' })).toBe(false);
  });
});

describe('3x-ui sessions against the simulator', () => {
  it.each([
    ['2.8.x', 'A'],
    ['2.3.0', 'A'],
    ['3.0.2', 'A'],
    ['3.6.x', 'B'],
  ] as const)('v%s with a password speaks Gen %s after one login', async (version, generation) => {
    const { sim, adapter } = rig({ version });
    expect(await adapter.generation(ctx())).toBe(generation);
    expect(sim.loginCount()).toBe(1);
  });

  it.each([
    ['3.0.2', 'A'],
    ['3.6.x', 'B'],
  ] as const)('v%s with a Bearer token speaks Gen %s without logging in', async (version, generation) => {
    const { sim, adapter } = rig({ version, token: true });
    expect(await adapter.generation(ctx())).toBe(generation);
    await adapter.listTargets(ctx());
    expect(sim.loginCount()).toBe(0);
  });

  it('a token the panel does not accept is a PanelAuthError, whichever the generation', async () => {
    for (const version of ['3.0.2', '3.6.x']) {
      const { adapter } = rig({ version, adapter: { auth: { token: 'not-a-token-the-panel-knows' } } });
      const error = await adapter.listTargets(ctx()).catch((e: unknown) => e);
      expect(PanelAuthError.is(error)).toBe(true);
    }
  });

  it('a wrong password is a PanelAuthError that names no secret', async () => {
    const { adapter } = rig({ adapter: { auth: { username: 'admin', password: 'wrong-password-123' } } });
    const error = await adapter.listTargets(ctx()).catch((e: unknown) => e);
    expect(PanelAuthError.is(error)).toBe(true);
    expect((error as PanelAuthError).retryable).toBe(false);
    expect(JSON.stringify(error)).not.toContain('wrong-password-123');
  });

  it('a wrong base path is a PanelAuthError that says to check the base path', async () => {
    const { adapter } = rig({ adapter: { baseUrl: `${ORIGIN}/not-the-path/` } });
    const error = await adapter.listTargets(ctx()).catch((e: unknown) => e);
    expect(PanelAuthError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/base path/);
  });

  it('re-logs in once on a pre-v2.8.4 panel (401 JSON, because the adapter sends X-Requested-With)', async () => {
    const { sim, adapter, targets } = rig({ version: '2.4.0' });
    const [created] = await adapter.createClients(targets.vless, [spec()], ctx());
    sim.expireSession();
    expect(await adapter.getClient(created!.ref, ctx())).not.toBeNull();
    expect(sim.loginCount()).toBe(2);
  });

  it('re-logs in once when a v3.0 session loses its CSRF token (403 with an empty body)', async () => {
    const { sim, adapter, targets } = rig({ version: '3.0.2' });
    const [created] = await adapter.createClients(targets.vless, [spec()], ctx());
    sim.sessions.rotateCsrf();
    await adapter.updateClient(created!.ref, { enabled: false }, ctx());
    expect(sim.client(created!.ref.username)!.enable).toBe(false);
    expect(sim.loginCount()).toBe(2);
  });

  it('re-logs in when the absolute session lifetime has passed', async () => {
    const { sim, adapter, clock, targets } = rig({ sim: { sessionMaxAgeMinutes: 60 } });
    const [created] = await adapter.createClients(targets.vless, [spec()], ctx());
    clock.advance(61 * 60_000);
    expect(await adapter.getClient(created!.ref, ctx())).not.toBeNull();
    expect(sim.loginCount()).toBe(2);
  });

  it('sends Cookie lang=en-US, X-Requested-With and, on v3 writes, X-CSRF-Token', async () => {
    const { sim, adapter, targets } = rig({ version: '3.0.2' });
    const seen: Map<string, string>[] = [];
    server.use(
      http.all(`${ORIGIN}${BASE_PATH}panel/api/*`, ({ request }) => {
        seen.push(new Map(request.headers.entries()));
        return sim.handle(request);
      }),
    );
    await adapter.createClients(targets.vless, [spec()], ctx());
    expect(seen.length).toBeGreaterThan(0);
    for (const headers of seen) {
      expect(headers.get('cookie')).toContain('lang=en-US');
      expect(headers.get('x-requested-with')).toBe('XMLHttpRequest');
    }
    const posts = seen.filter((h) => h.has('x-csrf-token'));
    expect(posts.length).toBeGreaterThan(0);
  });

  it('never logs a Gen A client credential carried in a route path', async () => {
    const lines: string[] = [];
    const record = (first: unknown, message?: string) => lines.push(JSON.stringify(first) + (message ?? ''));
    const logger: Logger = { debug: record, info: record, warn: record, error: record, child: () => logger };
    const { adapter, targets } = rig({ adapter: { logger } });
    const one = spec();
    const [created] = await adapter.createClients(targets.vless, [one], ctx());
    await adapter.updateClient(created!.ref, { enabled: false }, ctx());
    await adapter.deleteClient(created!.ref, ctx());
    expect(lines.some((line) => line.includes('updateClient/[client]'))).toBe(true);
    for (const secret of [one.identity.uuid, one.identity.password, one.identity.subId, PASSWORD, TOKEN]) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
