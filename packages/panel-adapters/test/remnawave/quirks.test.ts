/** What is particular to Remnawave: its proxy check, statuses, device limits, errors, pages and subscription. */
import { deriveRemoteIdentity, PanelkitError } from '@panelkit/sdk';
import type { CallContext, ClientSpec, TargetRef } from '@panelkit/sdk/adapter';
import { ManualClock } from '@panelkit/sdk/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRemnawaveAdapter, type RemnawaveAdapter, type RemnawaveAdapterOptions } from '../../src/remnawave/index.js';
import { serveOnLocalhost, type RunningSimulator } from '../../src/simulators/harness/index.js';
import { createRemnawaveSimulator, type RemnawaveSimulator } from '../../src/simulators/remnawave/index.js';

const TOKEN = 'remnawave-quirks-token';
const DAY = 86_400_000;
const GIB = 2 ** 30;
const ctx = (): CallContext => ({ signal: new AbortController().signal, idempotencyKey: 'quirks' });
const ONE_TRY = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 };

let sim: RemnawaveSimulator;
let server: RunningSimulator;
let clock: ManualClock;
let adapter: RemnawaveAdapter;
let target: TargetRef;
let sequence = 0;

function connect(options: Partial<RemnawaveAdapterOptions> = {}): RemnawaveAdapter {
  return createRemnawaveAdapter({ baseUrl: server.origin, auth: { token: TOKEN }, retry: ONE_TRY, timeoutMs: 1_000, ...options });
}

function spec(overrides: Partial<ClientSpec> = {}): ClientSpec {
  return {
    identity: deriveRemoteIdentity(`quirk-${++sequence}`, 0, { secret: 'remnawave-quirks-identity-secret' }),
    expiry: { type: 'at', at: new Date(clock.now().getTime() + 30 * DAY) },
    trafficLimitBytes: 10 * GIB,
    deviceLimit: 2,
    enabled: true,
    ...overrides,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (PanelkitError.is(error)) return `${error.name}${error.retryable ? ' (retryable)' : ''}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  clock = new ManualClock('2026-05-01T00:00:00Z');
  sim = createRemnawaveSimulator({ clock, apiToken: TOKEN });
  server = await serveOnLocalhost(sim.handle);
  adapter = connect();
  target = (await adapter.listTargets(ctx())).find((candidate) => candidate.name === 'Default-Squad')!;
});

afterEach(async () => {
  sim.releaseHangs();
  await server.close();
});

describe('remnawave quirks', () => {
  it('a production panel drops a request that did not come through an HTTPS proxy; the adapter says it did over http', async () => {
    expect((await adapter.health(ctx())).ok).toBe(true);
    const bare = connect({ forwardedHeaders: false });
    expect(await codeOf(bare.listTargets(ctx()))).toMatch(/^PanelConnectionError/);
  });

  it('disabling a user the panel already expired disables it (PATCH cannot), and a later date keeps it disabled', async () => {
    const [created] = await adapter.createClients(
      target,
      [spec({ expiry: { type: 'at', at: new Date(clock.now().getTime() + DAY) } })],
      ctx(),
    );
    clock.advance(2 * DAY);
    sim.enforce();
    expect((await adapter.getClient(created!.ref, ctx()))!.panelStatus).toBe('expired');
    const disabled = await adapter.updateClient(created!.ref, { enabled: false }, ctx());
    expect(disabled.panelStatus).toBe('disabled');
    const later = await adapter.updateClient(
      created!.ref,
      { expiry: { type: 'at', at: new Date(clock.now().getTime() + 30 * DAY) } },
      ctx(),
    );
    expect(later.enabled).toBe(false);
    expect((await adapter.updateClient(created!.ref, { enabled: true }, ctx())).panelStatus).toBe('active');
  });

  it('a limit raised above the usage of a LIMITED user lets it connect again, as the panel does', async () => {
    const [created] = await adapter.createClients(target, [spec({ trafficLimitBytes: 1_000 })], ctx());
    await sim.addTraffic(created!.ref.username, 600, 600);
    expect((await adapter.getClient(created!.ref, ctx()))!.panelStatus).toBe('limited');
    const raised = await adapter.updateClient(created!.ref, { trafficLimitBytes: 10 * GIB }, ctx());
    expect(raised.enabled).toBe(true);
  });

  it('no device limit is 0 on the panel (the user bypasses HWID checks), never the fallback null', async () => {
    const [created] = await adapter.createClients(target, [spec({ deviceLimit: null })], ctx());
    expect(sim.byName(created!.ref.username)!.hwidDeviceLimit).toBe(0);
    expect(created!.deviceLimit).toBeNull();
    await adapter.updateClient(created!.ref, { deviceLimit: 4 }, ctx());
    expect(sim.byName(created!.ref.username)!.hwidDeviceLimit).toBe(4);
  });

  it('"never" is the panel\'s 2099 date, and the public subscription reports it as expire=0', async () => {
    const [created] = await adapter.createClients(target, [spec({ expiry: { type: 'never' }, trafficLimitBytes: null })], ctx());
    const user = sim.byName(created!.ref.username)!;
    expect(new Date(user.expireAt).getUTCFullYear()).toBe(2099);
    const links = await adapter.links(created!.ref, ctx());
    expect(links.subscriptionUrl).toBe(`https://sub.remnawave.test/${user.shortUuid}`);
    const response = await fetch(`${server.origin}/api/sub/${user.shortUuid}`, {
      headers: { 'x-forwarded-for': '1.1.1.1', 'x-forwarded-proto': 'https' },
    });
    expect(response.headers.get('subscription-userinfo')).toBe('upload=0; download=0; total=0; expire=0');
    const body = Buffer.from(await response.text(), 'base64')
      .toString('utf8')
      .split('\n');
    expect(body).toEqual(links.shareLinks);
  });

  it('links are built from the hosts of the squad: a REALITY-only squad gives one vless link with its REALITY fields', async () => {
    const reality = (await adapter.listTargets(ctx())).find((candidate) => candidate.name === 'Reality-Only')!;
    const [created] = await adapter.createClients(reality, [spec()], ctx());
    const { shareLinks } = await adapter.links(created!.ref, ctx());
    expect(shareLinks).toHaveLength(1);
    const link = new URL(shareLinks[0]!);
    expect(link.protocol).toBe('vless:');
    expect(link.username).toBe(created!.ref.username === '' ? '' : sim.byName(created!.ref.username)!.vlessUuid);
    expect(Object.fromEntries(link.searchParams)).toMatchObject({
      security: 'reality',
      pbk: expect.any(String),
      sid: expect.any(String),
      sni: 'www.microsoft.com',
      flow: 'xtls-rprx-vision',
    });
    expect(link.hash).toBe(`#${encodeURIComponent('🇩🇪 Germany (Reality)')}`);
  });

  it('a create on a squad that does not exist is refused, not retried, and makes nothing', async () => {
    const ghost: TargetRef = { remoteRef: '7d1e0c6a-0000-4000-8000-000000000000', protocol: 'mixed', remoteMeta: {} };
    const s = spec();
    expect(await codeOf(adapter.createClients(ghost, [s], ctx()))).toMatch(/^PanelRejectedError: internal squad .* does not exist/);
    expect(await sim.countClients(s.identity.username)).toBe(0);
  });

  it("a username held by a user with other credentials is a conflict, carrying the panel's text and code", async () => {
    const s = spec();
    await adapter.createClients(target, [{ ...s, identity: { ...s.identity, uuid: '11111111-2222-4333-8444-555555555555' } }], ctx());
    expect(await codeOf(adapter.createClients(target, [s], ctx()))).toBe(
      'PanelConflictError: panel reports a conflict: User username already exists (A019)',
    );
  });

  it("a date in the past is the panel's validation error, with its field", async () => {
    const [created] = await adapter.createClients(target, [spec()], ctx());
    const error = await adapter
      .updateClient(created!.ref, { expiry: { type: 'at', at: new Date(clock.now().getTime() - DAY) } }, ctx())
      .catch((e: unknown) => e);
    expect(PanelkitError.is(error) && error.name).toBe('PanelRejectedError');
    expect((error as { issues: unknown }).issues).toEqual([{ path: 'expireAt', message: 'Expiration date cannot be in the past' }]);
  });

  it('start on first use is unsupported, before anything is sent', async () => {
    const before = sim.requests.total;
    expect(await codeOf(adapter.createClients(target, [spec({ expiry: { type: 'after_first_use', durationMs: DAY } })], ctx()))).toMatch(
      /^PanelUnsupportedError/,
    );
    expect(sim.requests.total).toBe(before);
  });

  it('a wrong token is 401 and a deleted one 403: both a PanelAuthError, not retried', async () => {
    expect(await codeOf(connect({ auth: { token: 'not-the-token' } }).listTargets(ctx()))).toMatch(
      /^PanelAuthError: .*\(401\): Unauthorized \(E401\)/,
    );
    sim.expireSession();
    expect(await codeOf(adapter.listTargets(ctx()))).toMatch(/^PanelAuthError: .*\(403\): Forbidden \(E403\)/);
  });

  it('keyset pages neither skip nor repeat a user when an earlier one is deleted between pages', async () => {
    const created = await adapter.createClients(target, [spec(), spec(), spec(), spec()], ctx());
    const first = await adapter.listClients({ limit: 2 }, ctx());
    await adapter.deleteClient(created[0]!.ref, ctx());
    const second = await adapter.listClients({ cursor: first.nextCursor, limit: 2 }, ctx());
    expect([...first.items, ...second.items].map((item) => item.ref.username)).toEqual(created.map((client) => client.ref.username));
    expect(second.nextCursor).toBeNull();
    expect(second.items[0]!.ref.target.remoteRef).toBe(target.remoteRef);
  });

  it("a user the panel stopped reads as not enabled, with the panel's status word", async () => {
    const [created] = await adapter.createClients(target, [spec({ enabled: false })], ctx());
    expect(created!.enabled).toBe(false);
    expect(created!.panelStatus).toBe('disabled');
    expect(sim.byName(created!.ref.username)!.status).toBe('DISABLED');
  });
});
