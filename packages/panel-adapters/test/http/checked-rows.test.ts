import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkedRows } from '../../src/http/checked-rows.js';
import { UserSchema as MarzbanUserSchema, UsersPageSchema as MarzbanUsersPageSchema } from '../../src/marzban/schemas.js';
import { SuiClientListSchema, SuiClientRowSchema } from '../../src/sui/schemas.js';
import { ClientTrafficSchema, InboundSchema, XuiClientSchema } from '../../src/xui/schemas.js';

/** The lists as plain zod parses them: what the hand checks must agree with. */
const PlainInbound = InboundSchema.extend({
  settings: z.union([
    z
      .string()
      .transform((value) => JSON.parse(value) as unknown)
      .pipe(z.looseObject({ clients: z.array(XuiClientSchema).nullish() })),
    z.looseObject({ clients: z.array(XuiClientSchema).nullish() }),
  ]),
  clientStats: z.array(ClientTrafficSchema).nullish(),
});
const PlainSuiList = z.object({
  clients: z
    .array(SuiClientRowSchema)
    .nullable()
    .transform((value) => value ?? []),
});

const PlainMarzbanPage = z.object({ users: z.array(MarzbanUserSchema), total: z.number().int().nonnegative() });

const user = (i: number): Record<string, unknown> => ({
  username: `m${i}`,
  status: ['active', 'disabled', 'on_hold'][i % 3],
  proxies:
    i % 2 === 0
      ? { vless: { id: `id${i}`, flow: null } }
      : { trojan: { password: 'p', flow: '' }, shadowsocks: { password: 'q', method: 'aes' } },
  ...(i % 3 === 0 ? {} : { inbounds: { vless: ['a', 'b'] } }),
  expire: i % 2 === 0 ? null : 1_800_000_000,
  data_limit: i % 2 === 0 ? null : 1024,
  data_limit_reset_strategy: 'no_reset',
  note: i % 4 === 0 ? null : 'n',
  online_at: i % 2 === 0 ? null : '2025-01-12T09:30:15.123456',
  on_hold_expire_duration: i % 3 === 2 ? 86_400 : null,
  on_hold_timeout: null,
  ...(i % 5 === 0 ? { next_plan: null } : {}),
  used_traffic: i,
  lifetime_used_traffic: 2 * i,
  created_at: '2025-01-12T09:30:15',
  ...(i % 3 === 1 ? {} : { links: ['vless://x'], subscription_url: '/sub/x' }),
  admin: { username: 'owner' },
  excluded_inbounds: {},
});

const client = (i: number): Record<string, unknown> => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  email: `c${i}`,
  flow: '',
  enable: i % 2 === 0,
  expiryTime: i * 1000,
  totalGB: 0,
  limitIp: 0,
  subId: `sub${i}`,
  tgId: i % 3 === 0 ? '' : i,
  reset: 0,
  created_at: 1_700_000_000_000,
});
const traffic = (i: number): Record<string, unknown> => ({
  id: i,
  inboundId: 1,
  enable: true,
  email: `c${i}`,
  up: i,
  down: 2 * i,
  allTime: 3 * i,
  expiryTime: 0,
  total: 0,
  reset: 0,
  ...(i % 2 === 0 ? { lastOnline: 1_700_000_000_000 } : {}),
});
const inbound = (clients: unknown[], stats: unknown[]) => ({
  id: 1,
  remark: 'r',
  enable: true,
  port: 443,
  protocol: 'vless',
  settings: JSON.stringify({ clients, decryption: 'none' }),
  streamSettings: '{"network":"tcp"}',
  clientStats: stats,
});
const row = (i: number): Record<string, unknown> => ({
  id: i + 1,
  enable: true,
  name: `u${i}`,
  inbounds: i % 4 === 0 ? null : [1, 2],
  volume: 0,
  expiry: 0,
  up: 1,
  down: 2,
  desc: '',
  group: '',
  ...(i % 2 === 0 ? { delayStart: false, resetDays: 0, totalUp: 0, totalDown: 0, createdAt: 5, onlineAt: 0, remark: 'x' } : {}),
  extra: 'dropped by zod',
});

describe('checkedRows', () => {
  it('gives what zod gives for valid 3x-ui inbounds and S-UI lists', () => {
    const body = inbound(
      Array.from({ length: 50 }, (_, i) => client(i)),
      Array.from({ length: 50 }, (_, i) => traffic(i)),
    );
    expect(InboundSchema.parse(body)).toEqual(PlainInbound.parse(body));
    const list = { clients: Array.from({ length: 50 }, (_, i) => row(i)) };
    const checked = SuiClientListSchema.parse(list);
    expect(checked).toEqual(PlainSuiList.parse(list));
    expect(Object.keys(checked.clients[0]!)).toEqual(Object.keys(PlainSuiList.parse(list).clients[0]!));
    expect(SuiClientListSchema.parse({ clients: null })).toEqual({ clients: [] });
    const page = { users: Array.from({ length: 30 }, (_, i) => user(i)), total: 30 };
    const users = MarzbanUsersPageSchema.parse(page);
    expect(users).toEqual(PlainMarzbanPage.parse(page));
    expect(Object.keys(users.users[1]!)).toEqual(Object.keys(PlainMarzbanPage.parse(page).users[1]!));
  });

  it("fails a bad element with zod's own issues, and takes what zod takes when the hand check is unsure", () => {
    const bad = inbound([client(0), { ...client(1), expiryTime: 1.5 }], [traffic(0), { ...traffic(1), up: 'x' }]);
    const checked = InboundSchema.safeParse(bad);
    const plain = PlainInbound.safeParse(bad);
    expect(checked.success).toBe(false);
    expect(checked.error?.issues).toEqual(plain.error?.issues);
    const badRows = { clients: [row(0), { ...row(1), id: -1 }] };
    expect(SuiClientListSchema.safeParse(badRows).error?.issues).toEqual(PlainSuiList.safeParse(badRows).error?.issues);
    const badPage = { users: [user(0), { ...user(1), online_at: 'yesterday' }, { ...user(2), next_plan: { data_limit: 5 } }], total: 3 };
    expect(MarzbanUsersPageSchema.safeParse(badPage).error?.issues).toEqual(PlainMarzbanPage.safeParse(badPage).error?.issues);
    const planned = { users: [{ ...user(2), next_plan: { data_limit: 5, expire: null } }], total: 1 };
    expect(MarzbanUsersPageSchema.parse(planned)).toEqual(PlainMarzbanPage.parse(planned));
    const unsure = checkedRows(z.object({ n: z.number().default(7) }), () => undefined);
    expect(unsure.parse([{}, { n: 1 }])).toEqual([{ n: 7 }, { n: 1 }]);
    expect(unsure.safeParse('no').error?.issues).toEqual(z.array(z.object({ n: z.number() })).safeParse('no').error?.issues);
  });
});
