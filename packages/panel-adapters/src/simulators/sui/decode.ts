/**
 * Reading a `save` payload the way Go's `encoding/json` reads it into `model.Client`: unknown
 * fields (and fields this version's model lacks) are ignored, missing ones are zero, a wrong type
 * fails with Go's message. The simulator answers with the same texts the panel does.
 */
import { atLeast, type SimSuiClient, type SimSuiLink } from './state.js';

/** A failure with the Go error text (the panel prefixes `save: `). */
export class GoError extends Error {}

type FieldKind = 'uint' | 'int' | 'bool' | 'string';

const FIELDS: readonly { key: keyof SimSuiClient; kind: FieldKind; since?: [number, number] }[] = [
  { key: 'id', kind: 'uint' },
  { key: 'enable', kind: 'bool' },
  { key: 'name', kind: 'string' },
  { key: 'volume', kind: 'int' },
  { key: 'expiry', kind: 'int' },
  { key: 'down', kind: 'int' },
  { key: 'up', kind: 'int' },
  { key: 'desc', kind: 'string' },
  { key: 'group', kind: 'string' },
  { key: 'remark', kind: 'string', since: [1, 5] },
  { key: 'createdAt', kind: 'int', since: [1, 5] },
  { key: 'onlineAt', kind: 'int', since: [1, 5] },
  { key: 'delayStart', kind: 'bool', since: [1, 4] },
  { key: 'autoReset', kind: 'bool', since: [1, 4] },
  { key: 'resetDays', kind: 'int', since: [1, 4] },
  { key: 'nextReset', kind: 'int', since: [1, 4] },
  { key: 'totalUp', kind: 'int', since: [1, 4] },
  { key: 'totalDown', kind: 'int', since: [1, 4] },
];

const GO_TYPES: Record<FieldKind, string> = { uint: 'uint', int: 'int64', bool: 'bool', string: 'string' };

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** Go's `json.Unmarshal` of a payload into any value: its syntax errors. */
export function parseGoJson(text: string): unknown {
  if (text.trim() === '') throw new GoError('unexpected end of JSON input');
  try {
    return JSON.parse(text);
  } catch {
    const first = text.trim()[0] ?? '';
    if (/[[{"\dtfn-]/.test(first)) throw new GoError('unexpected end of JSON input');
    throw new GoError(`invalid character '${first}' looking for beginning of value`);
  }
}

/** The raw JSON fields (`config`, `inbounds`, `links`) stay raw: `undefined` = absent (Go's nil). */
export interface DecodedClient {
  fields: Partial<SimSuiClient>;
  config: unknown;
  inbounds: unknown;
  links: unknown;
}

export function decodeClient(value: unknown, version: string): DecodedClient {
  if (jsonKind(value) !== 'object') throw new GoError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type model.Client`);
  const record = value as Record<string, unknown>;
  const fields: Partial<SimSuiClient> = {};
  for (const field of FIELDS) {
    if (field.since && !atLeast(version, field.since[0], field.since[1])) continue;
    const raw = record[field.key];
    if (raw === undefined || raw === null) continue;
    const ok =
      field.kind === 'bool'
        ? typeof raw === 'boolean'
        : field.kind === 'string'
          ? typeof raw === 'string'
          : typeof raw === 'number' && Number.isInteger(raw) && (field.kind === 'int' || raw >= 0);
    if (!ok) {
      const kind = typeof raw === 'number' ? 'number' : jsonKind(raw);
      throw new GoError(`json: cannot unmarshal ${kind} into Go struct field Client.${field.key} of type ${GO_TYPES[field.kind]}`);
    }
    (fields as Record<string, unknown>)[field.key] = raw;
  }
  return { fields, config: record.config, inbounds: record.inbounds, links: record.links };
}

/** `json.Unmarshal(client.Inbounds, &ids)`: nil input is Go's "unexpected end of JSON input". */
export function inboundIdsOf(raw: unknown): number[] {
  if (raw === undefined) throw new GoError('unexpected end of JSON input');
  if (raw === null) return [];
  if (!Array.isArray(raw)) throw new GoError(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type []uint`);
  return raw.map((id) => {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
      throw new GoError(`json: cannot unmarshal ${jsonKind(id)} into Go value of type uint`);
    return id;
  });
}

export function linksOf(raw: unknown): SimSuiLink[] {
  if (raw === undefined) throw new GoError('unexpected end of JSON input');
  if (raw === null) return [];
  if (!Array.isArray(raw)) throw new GoError(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type []map[string]string`);
  return raw.map((link) => {
    const record = (link ?? {}) as Record<string, unknown>;
    return {
      type: String(record.type ?? ''),
      ...(record.remark === undefined ? {} : { remark: String(record.remark) }),
      uri: String(record.uri ?? ''),
    };
  });
}

export function configOf(raw: unknown): Record<string, Record<string, unknown>> {
  if (raw === undefined || raw === null) return {};
  if (jsonKind(raw) !== 'object')
    throw new GoError(`json: cannot unmarshal ${jsonKind(raw)} into Go value of type map[string]map[string]interface {}`);
  return structuredClone(raw as Record<string, Record<string, unknown>>);
}
