import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkedRows } from '../../src/http/checked-rows.js';
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
  });

  it("fails a bad element with zod's own issues, and takes what zod takes when the hand check is unsure", () => {
    const bad = inbound([client(0), { ...client(1), expiryTime: 1.5 }], [traffic(0), { ...traffic(1), up: 'x' }]);
    const checked = InboundSchema.safeParse(bad);
    const plain = PlainInbound.safeParse(bad);
    expect(checked.success).toBe(false);
    expect(checked.error?.issues).toEqual(plain.error?.issues);
    const badRows = { clients: [row(0), { ...row(1), id: -1 }] };
    expect(SuiClientListSchema.safeParse(badRows).error?.issues).toEqual(PlainSuiList.safeParse(badRows).error?.issues);
    const unsure = checkedRows(z.object({ n: z.number().default(7) }), () => undefined);
    expect(unsure.parse([{}, { n: 1 }])).toEqual([{ n: 7 }, { n: 1 }]);
    expect(unsure.safeParse('no').error?.issues).toEqual(z.array(z.object({ n: z.number() })).safeParse('no').error?.issues);
  });
});
