/**
 * zod schemas for every 3x-ui response the adapter reads. Objects are loose: the panel adds fields
 * release by release, and a Gen A client object must be written back whole (unknown fields
 * included), or the panel drops them.
 */
import { z } from 'zod';
import { checkedRows, isBoolean, isInt, isNumber, isRecord, isString, optional } from '../http/checked-rows.js';

/** `{success, msg, obj}`; `msg` is missing on `csrf-token`, `obj` on a few error bodies. */
export const EnvelopeSchema = z.object({
  success: z.boolean(),
  msg: z.string().optional(),
  obj: z.unknown().optional(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

const int = z.number().int();

/** Gen A: a string holding JSON; Gen B: the object itself. */
function jsonField<S extends z.ZodType>(schema: S) {
  const fromString = z.string().transform((value, ctx): unknown => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'a JSON string was expected' });
      return z.NEVER;
    }
  });
  return z.union([fromString.pipe(schema), schema]);
}

/** One element of `settings.clients` (Gen A) and the client shape both generations write. */
export const XuiClientSchema = z.looseObject({
  email: z.string(),
  id: z.string().optional(),
  password: z.string().optional(),
  flow: z.string().optional(),
  security: z.string().optional(),
  enable: z.boolean().optional(),
  expiryTime: int.optional(),
  totalGB: int.optional(),
  limitIp: int.optional(),
  subId: z.string().optional(),
  comment: z.string().optional(),
  reset: int.optional(),
  tgId: z.union([int, z.string()]).optional(),
});
export type XuiClient = z.infer<typeof XuiClientSchema>;

const isIntOrString = (value: unknown) => isInt(value) || isString(value);

/** {@link XuiClientSchema} by hand: the element itself when zod would take it (a loose object with no defaults). */
function checkClient(value: unknown): XuiClient | undefined {
  if (!isRecord(value) || !isString(value.email)) return undefined;
  const ok =
    optional(value.id, isString) &&
    optional(value.password, isString) &&
    optional(value.flow, isString) &&
    optional(value.security, isString) &&
    optional(value.enable, isBoolean) &&
    optional(value.expiryTime, isInt) &&
    optional(value.totalGB, isInt) &&
    optional(value.limitIp, isInt) &&
    optional(value.subId, isString) &&
    optional(value.comment, isString) &&
    optional(value.reset, isInt) &&
    optional(value.tgId, isIntOrString);
  return ok ? (value as XuiClient) : undefined;
}

/** An inbound's `settings` (3x-ui sends it as a JSON string inside the inbound): its clients, each checked by hand first. */
export const InboundSettingsSchema = z.looseObject({
  clients: checkedRows(XuiClientSchema, checkClient).nullish(),
  method: z.string().optional(),
  password: z.string().optional(),
  encryption: z.string().optional(),
});

/** A `client_traffics` row (`clientStats[]`, `getClientTraffics`, `clients/traffic`). */
export const ClientTrafficSchema = z.looseObject({
  inboundId: int,
  enable: z.boolean(),
  email: z.string(),
  up: z.number(),
  down: z.number(),
  expiryTime: int,
  total: z.number(),
  lastOnline: z.number().optional(),
});
export type ClientTraffic = z.infer<typeof ClientTrafficSchema>;

/** {@link ClientTrafficSchema} by hand: the element itself when zod would take it (a loose object with no defaults). */
function checkTraffic(value: unknown): ClientTraffic | undefined {
  if (!isRecord(value)) return undefined;
  const ok =
    isInt(value.inboundId) &&
    isBoolean(value.enable) &&
    isString(value.email) &&
    isNumber(value.up) &&
    isNumber(value.down) &&
    isInt(value.expiryTime) &&
    isNumber(value.total) &&
    optional(value.lastOnline, isNumber);
  return ok ? (value as ClientTraffic) : undefined;
}

/** One inbound as `inbounds/list` and `inbounds/get/:id` answer it: `settings` parsed from its JSON string, the clients' traffic rows checked by hand first. */
export const InboundSchema = z.looseObject({
  id: int,
  remark: z.string(),
  enable: z.boolean(),
  port: int,
  listen: z.string().optional().default(''),
  protocol: z.string(),
  tag: z.string().optional().default(''),
  settings: jsonField(InboundSettingsSchema),
  streamSettings: jsonField(z.record(z.string(), z.unknown())).nullish(),
  clientStats: checkedRows(ClientTrafficSchema, checkTraffic).nullish(),
});
export type Inbound = z.infer<typeof InboundSchema>;

export const InboundListSchema = z.array(InboundSchema);

/** `GET panel/api/server/status` (only what health reads). */
export const ServerStatusSchema = z.looseObject({
  xray: z.looseObject({ state: z.string(), version: z.string().optional() }).optional(),
  panelVersion: z.string().optional(),
});

// ------------------------------------------------------------------ Gen B

export const ClientRecordSchema = z.looseObject({
  email: z.string(),
  subId: z.string().optional().default(''),
  uuid: z.string().optional().default(''),
  password: z.string().optional().default(''),
  flow: z.string().optional().default(''),
  security: z.string().optional().default(''),
  enable: z.boolean(),
  expiryTime: int,
  totalGB: int,
  limitIp: int.optional().default(0),
  tgId: int.optional().default(0),
  comment: z.string().optional().default(''),
  reset: int.optional().default(0),
  /** WireGuard (v3.4.2+): the client's keys and its addresses as CSV (`wg_allowed_ips`). */
  privateKey: z.string().optional(),
  publicKey: z.string().optional(),
  allowedIPs: z.string().optional(),
  /** MTProto (v3.5+): the client's secret as stored (the client API does not heal it). */
  secret: z.string().optional(),
});
export type ClientRecord = z.infer<typeof ClientRecordSchema>;

export const ClientGetSchema = z.object({
  client: ClientRecordSchema,
  inboundIds: z.array(int).nullish(),
  usedTraffic: z.number().optional(),
});
export type ClientGet = z.infer<typeof ClientGetSchema>;

export const PagedClientSchema = z.looseObject({
  email: z.string(),
  subId: z.string().optional().default(''),
  enable: z.boolean(),
  totalGB: int,
  expiryTime: int,
  limitIp: int.optional().default(0),
  inboundIds: z.array(int).nullish(),
  traffic: z.looseObject({ up: z.number(), down: z.number(), enable: z.boolean().optional() }).nullish(),
});

/** One client of a `clients/list/paged` page. */
export type PagedClient = z.infer<typeof PagedClientSchema>;

/** `GET panel/api/clients/list/paged`: one page of clients; `items` may be `null` or missing when there are none. */
export const ClientPageSchema = z.object({
  items: z.array(PagedClientSchema).nullish(),
  total: int,
  /** Rows matching the query's filters, before paging (all rows when none). */
  filtered: int.optional(),
  page: int.optional(),
  pageSize: int.optional(),
});

export const InboundOptionSchema = z.looseObject({
  id: int,
  remark: z.string(),
  protocol: z.string(),
  port: int,
  enable: z.boolean().optional().default(true),
  tag: z.string().optional().default(''),
  ssMethod: z.string().optional(),
  tlsFlowCapable: z.boolean().optional().default(false),
  /** WireGuard inbounds (v3.4.2+): the server's public key. */
  wgPublicKey: z.string().optional(),
  /** MTProto inbounds (v3.5+): the inbound's FakeTLS domain, when it names one. */
  mtprotoDomain: z.string().optional(),
  /** The node hosting the inbound; absent or null for the panel's own. */
  nodeId: int.nullish(),
});
export const InboundOptionsSchema = z.array(InboundOptionSchema);

export const BulkCreateSchema = z.object({
  created: int,
  skipped: z.array(z.object({ email: z.string(), reason: z.string() })).nullish(),
});

export const LinksSchema = z.array(z.string()).nullable();

export const CsrfTokenSchema = z.object({ success: z.literal(true), obj: z.string().min(1) });
