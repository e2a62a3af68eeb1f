import { expect, it } from 'vitest';
import { detailText, fieldIssues, DetailBodySchema } from '../../src/marzban-family/error-detail.js';
import { toRemoteClient } from '../../src/marzban/mapping.js';
import { listTargets } from '../../src/marzban/targets.js';
import {
  AdminSchema,
  DeletedSchema,
  InboundsSchema,
  OpenApiInfoSchema,
  TokenSchema,
  UserSchema,
  UsersPageSchema,
} from '../../src/marzban/schemas.js';
import type { MarzbanUser } from '../../src/marzban/schemas.js';
import { describeFixtures, expectParses, errorExchanges, readExchange, readFixture } from './fixtures.js';

const USER_RESPONSES = [
  'user-create.exchange.json',
  'user-create-on-hold.exchange.json',
  'user-get.exchange.json',
  'user-modify.exchange.json',
  'user-modify-disable.exchange.json',
  'user-reset.exchange.json',
  'user-revoke-sub.exchange.json',
];

/** What the adapter must read from a user, computed from the raw body in the panel's units. */
function expectMapped(user: MarzbanUser, raw: Record<string, unknown>): void {
  const client = toRemoteClient(user);
  expect(client.ref.username).toBe(raw['username']);
  expect(client.usedBytes).toBe(raw['used_traffic']);
  expect(client.trafficLimitBytes).toBe(raw['data_limit'] ? raw['data_limit'] : null);
  if (raw['status'] === 'disabled') expect(client.enabled).toBe(false);
  if (raw['status'] === 'active' || raw['status'] === 'on_hold') expect(client.enabled).toBe(true);
  if (raw['status'] === 'on_hold') {
    expect(client.expiry).toEqual({ type: 'after_first_use', durationMs: (raw['on_hold_expire_duration'] as number) * 1000 });
  } else if (typeof raw['expire'] === 'number' && raw['expire'] > 0) {
    expect(client.expiry).toEqual({ type: 'at', at: new Date(raw['expire'] * 1000) });
  } else {
    expect(client.expiry).toEqual({ type: 'never' });
  }
}

describeFixtures('contract: marzban fixtures', 'marzban', () => {
  it('the token and admin responses parse', () => {
    expectParses(TokenSchema, readExchange('marzban/auth-token.exchange.json').body, 'auth-token');
    expectParses(AdminSchema, readExchange('marzban/admin-current.exchange.json').body, 'admin-current');
  });

  it('the recorded 0.8.4 OpenAPI document is what the unauthenticated version probe reads', () => {
    const info = expectParses(OpenApiInfoSchema, readFixture('marzban/openapi-0.8.4.recorded.json'), 'openapi');
    expect(info.info.version).toBe('0.8.4');
  });

  for (const file of USER_RESPONSES) {
    it(`${file}: the user parses and maps in the panel's units (seconds, bytes)`, () => {
      const body = readExchange(`marzban/${file}`).body as Record<string, unknown>;
      expectMapped(expectParses(UserSchema, body, file), body);
    });
  }

  it('recorded users from real panels (a pre-0.8 list item, a webhook payload) parse and map', () => {
    const readme = (readFixture('marzban/users-list-item.recorded-readme.json') as { body: Record<string, unknown> }).body;
    expectMapped(expectParses(UserSchema, readme, 'users-list-item (pre-0.8)'), readme);
    const webhook = (
      readFixture('marzban/webhook-reached_usage_percent.recorded-redacted.json') as { body: { user: Record<string, unknown> }[] }
    ).body;
    expect(webhook.length).toBeGreaterThan(0);
    for (const notification of webhook) expectMapped(expectParses(UserSchema, notification.user, 'webhook user'), notification.user);
  });

  it('the users list and the inbounds map parse', () => {
    const page = expectParses(UsersPageSchema, readExchange('marzban/users-list.exchange.json').body, 'users-list');
    expect(page.users.length).toBeGreaterThan(0);
    const inbounds = expectParses(InboundsSchema, readExchange('marzban/inbounds.exchange.json').body, 'inbounds');
    // One target per inbound tag, plus one that stands for all of them.
    expect(listTargets(inbounds).map((target) => target.name)).toEqual([
      'VLESS TCP REALITY',
      'VLESS GRPC REALITY',
      'Shadowsocks TCP',
      'All inbounds',
    ]);
    expectParses(DeletedSchema, readExchange('marzban/user-delete.exchange.json').body, 'user-delete');
  });

  it('the recorded 422 reads without its pydantic "Value error, " prefix', () => {
    const { body } = readExchange('marzban/user-create-422-proxies-empty.recorded.exchange.json');
    expect(fieldIssues(body)).toEqual([{ path: 'proxies', message: 'Each user needs at least one proxy' }]);
  });

  for (const file of errorExchanges('marzban')) {
    it(`${file}: the error body reads as detail text or field issues`, () => {
      const { status, body } = readExchange(`marzban/${file}`);
      expectParses(DetailBodySchema, body, file);
      if (status === 422) {
        const issues = fieldIssues(body);
        expect(issues.length).toBeGreaterThan(0);
        for (const issue of issues) {
          expect(issue.path, 'a 422 names its field').not.toBe('');
          expect(issue.message).not.toMatch(/^Value error, /);
        }
      } else {
        expect(detailText(body)).toEqual(expect.any(String));
      }
    });
  }
});
