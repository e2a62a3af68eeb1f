/**
 * MTProto clients as 3x-ui v3.5+ keeps them (`internal/database/model/model.go`, `client_crud.go`,
 * `internal/mtproto/manager.go`): `clients/add` without a secret generates `ee` + 16 random bytes in hex +
 * hex(fakeTlsDomain); with one it stores it as given (the client API checks only that it is not empty, #6036);
 * an inbound save heals every secret to `ee` keeping its 32-hex middle (or a new one) and its embedded domain
 * (or the inbound's); and mtg refuses its whole config when one secret is not a FakeTLS secret, so every client
 * of that inbound stops connecting. Written from the panel's behaviour, not shared with the adapter.
 */
import { randomBytes } from 'node:crypto';
import { text, type RawClient, type SimInbound } from './state.js';

/** The FakeTLS domain the panel uses when an inbound names none. */
export const DEFAULT_FAKE_TLS_DOMAIN = 'www.cloudflare.com';

/** `mtprotoDomainFromSettings`: the inbound's `fakeTlsDomain`, trimmed, else the default. */
export function domainOf(inbound: SimInbound): string {
  const domain = text(inbound.settings.fakeTlsDomain).trim();
  return domain === '' ? DEFAULT_FAKE_TLS_DOMAIN : domain;
}

/** `GenerateFakeTLSSecret`. */
export function generateSecret(domain: string): string {
  return `ee${randomBytes(16).toString('hex')}${Buffer.from(domain, 'utf8').toString('hex')}`;
}

function strip(secret: string): string {
  return secret.startsWith('ee') || secret.startsWith('dd') ? secret.slice(2) : secret;
}

const HEX = /^[0-9a-fA-F]*$/;

/** `mtprotoSecretMiddle`: the existing 32-hex middle, or a new one. */
function middleOf(secret: string): string {
  const middle = strip(secret).slice(0, 32);
  return middle.length === 32 && HEX.test(middle) ? middle : randomBytes(16).toString('hex');
}

/** `mtprotoSecretDomain`: the domain in the secret's tail, '' when there is none. */
function embeddedDomain(secret: string): string {
  const tail = strip(secret).slice(32);
  if (tail === '' || tail.length % 2 !== 0 || !HEX.test(tail)) return '';
  return Buffer.from(tail, 'hex').toString('utf8');
}

/** `HealMtprotoClientSecrets` on one inbound's clients; returns how many secrets it rewrote. */
export function healSecrets(inbound: SimInbound, clients: readonly RawClient[]): number {
  const fallback = text(inbound.settings.fakeTlsDomain).trim();
  let changed = 0;
  for (const client of clients) {
    const secret = text(client.secret);
    const domain = embeddedDomain(secret) || fallback;
    if (domain === '') continue;
    const expected = `ee${middleOf(secret)}${Buffer.from(domain, 'utf8').toString('hex')}`;
    if (secret !== expected) {
      client.secret = expected;
      changed++;
    }
  }
  return changed;
}

/** Whether mtg would take this secret: `ee`, 32 hex, then the hex of a non-empty domain. */
export function isFakeTlsSecret(secret: string): boolean {
  return /^ee[0-9a-fA-F]{32}(?:[0-9a-fA-F]{2})+$/.test(secret);
}

/** Whether the inbound's mtg process runs: it parses every client's secret at start and exits on the first bad one. */
export function mtgRuns(clients: readonly RawClient[]): boolean {
  return clients.every((client) => isFakeTlsSecret(text(client.secret)));
}
