/**
 * The optional contract suite: the panels' recorded and source-constructed responses in
 * `shared/panels/fixtures` (found by walking up from here, or at PANELKIT_PANEL_FIXTURES) must parse
 * through the adapters' schemas. Skipped, and says so, when the fixtures are absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fieldIssues } from '../../src/marzban-family/detail.js';
import { UserSchema as MarzbanUser, UsersPageSchema as MarzbanUsers, InboundsSchema, TokenSchema } from '../../src/marzban/schemas.js';
import { listTargets } from '../../src/marzban/targets.js';
import { toRemoteClient as marzbanClient } from '../../src/marzban/mapping.js';
import { UserSchema as MarzneshinUser, UsersPageSchema as MarzneshinUsers, ServicesPageSchema } from '../../src/marzneshin/schemas.js';
import { toRemoteClient as marzneshinClient } from '../../src/marzneshin/mapping.js';

function findFixtures(): string | null {
  const fromEnv = process.env.PANELKIT_PANEL_FIXTURES;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'panels', 'fixtures');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

const root = findFixtures();
const reason = root === null ? ' (skipped: shared/panels/fixtures not found)' : '';

interface Exchange {
  body?: unknown;
  response?: { status: number; body?: unknown };
}

function load(kind: string, name: string): Exchange {
  return JSON.parse(readFileSync(resolve(root!, kind, name), 'utf8')) as Exchange;
}

function files(kind: string, pattern: RegExp): string[] {
  return readdirSync(resolve(root!, kind)).filter((name) => pattern.test(name));
}

describe.skipIf(root === null)(`marzban-family fixtures${reason}`, () => {
  it('every Marzban user body parses and converts', () => {
    const single = ['user-create', 'user-create-on-hold', 'user-get', 'user-modify', 'user-modify-disable', 'user-reset', 'user-revoke-sub'];
    for (const name of single) {
      const user = MarzbanUser.parse(load('marzban', `${name}.exchange.json`).response!.body);
      expect(marzbanClient(user).ref.username).toBe(user.username);
    }
    expect(MarzbanUsers.parse(load('marzban', 'users-list.exchange.json').response!.body).users.length).toBeGreaterThan(0);
    // Recorded pre-0.8 shapes: a list item, and the user inside a webhook payload.
    MarzbanUser.parse(load('marzban', 'users-list-item.recorded-readme.json').body);
    for (const notification of load('marzban', 'webhook-reached_usage_percent.recorded-redacted.json').body as { user: unknown }[]) {
      MarzbanUser.parse(notification.user);
    }
    TokenSchema.parse(load('marzban', 'auth-token.exchange.json').response!.body);
  });

  it('the on-hold fixture reads back as start on first use', () => {
    const user = MarzbanUser.parse(load('marzban', 'user-create-on-hold.exchange.json').response!.body);
    expect(marzbanClient(user).expiry).toEqual({ type: 'after_first_use', durationMs: 2_592_000_000 });
  });

  it('inbounds become one target per tag plus all of them', () => {
    const targets = listTargets(InboundsSchema.parse(load('marzban', 'inbounds.exchange.json').response!.body));
    expect(targets.map((t) => t.name)).toEqual(['VLESS TCP REALITY', 'VLESS GRPC REALITY', 'Shadowsocks TCP', 'All inbounds']);
  });

  it('every 422 body gives field issues; the recorded one reads without its pydantic prefix', () => {
    for (const kind of ['marzban', 'marzneshin']) {
      for (const name of files(kind, /-422-/)) {
        const exchange = load(kind, name);
        expect(exchange.response!.status, name).toBe(422);
        expect(fieldIssues(exchange.response!.body).length, name).toBeGreaterThan(0);
      }
    }
    expect(fieldIssues(load('marzban', 'user-create-422-proxies-empty.recorded.exchange.json').response!.body)).toEqual([
      { path: 'proxies', message: 'Each user needs at least one proxy' },
    ]);
  });

  it('every Marzneshin user, page and service body parses and converts', () => {
    for (const name of files('marzneshin', /^user-(create-(fixed-date|never|start-on-first-use)|get|modify|enable|disable|reset|revoke-sub)\.exchange\.json$/)) {
      const user = MarzneshinUser.parse(load('marzneshin', name).response!.body);
      expect(marzneshinClient(user).ref.username, name).toBe(user.username);
    }
    const page = MarzneshinUsers.parse(load('marzneshin', 'users-list.exchange.json').response!.body);
    expect(page.items.map((u) => marzneshinClient(u).panelStatus)).toEqual(['active', 'on_hold']);
    expect(ServicesPageSchema.parse(load('marzneshin', 'services-list.exchange.json').response!.body).items.length).toBe(2);
  });
});
