import { createHash, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ActorSchema } from '../domain/common.js';
import type { ActorInput } from '../domain/common.js';
import { parseInput } from '../domain/validate.js';
import { ConfigurationError } from '../errors.js';
import type { LinkTokenCandidate, LinkTokenRequest } from '../ports/storage-link-tokens.js';
import type { EngineContext } from './context.js';
import { NotFoundError } from '../errors.js';
import { LINK_TOKEN_PATTERN, type LinkScope, type LinkScopeOptions, resolveLinkScope } from './link-scope.js';

export { LINK_TOKEN_PATTERN };

/** The audit action of a rotation (subject: the customer, or the subscription for its own link). */
const ROTATED = 'subscription_link.rotated';

/**
 * `kit.links`: each customer's one subscription link token (the `<token>` of a buyer's `/s/<token>`). The token is an
 * HMAC of `links.secret` over the customer and a random nonce, so it can be shown again while storage keeps only the
 * nonce and the token's SHA-256 (`linkTokens`).
 */
export interface PanelkitLinks {
  /** The customer's current token, made on first use (callers at once, on any replica, get the same one). */
  tokenFor(customerId: string): Promise<string>;
  /**
   * `tokenFor` of several customers in one storage call (`linkTokens.ensureMany`: one statement on a database), by
   * customer id; at most 1 000 customers a call. `NotFoundError` when any is unknown, and no token is made.
   */
  tokensFor(customerIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * `tokensFor` made by a statement of the host's own instead of a call (storage-postgres `ensureLinkTokensSql`, in a
   * write the host sends anyway): a candidate for each customer, and how the nonces that statement answers become
   * their tokens. Makes nothing itself.
   */
  toMake(customerIds: readonly string[]): LinkTokensToMake;
  /**
   * The version of the customer's link (made on first use): 12 hex digits naming its current token without opening
   * it, which changes with each rotation. What a confirmation to replace the link carries, for `rotate`'s `from`.
   * `NotFoundError` for an unknown customer.
   */
  linkVersion(customerId: string): Promise<string>;
  /**
   * A new token for the customer: the old one resolves to nothing from the moment this returns. Audited as
   * `subscription_link.rotated` (subject the customer) with `actor`, in the rotation's transaction. Returns the
   * customer's token after the rotation. With `options.from` (a `linkVersion` read before, e.g. when the buyer was
   * asked to confirm), only the link still at that version is replaced: a confirmation sent twice, or handled on two
   * replicas at once, rotates once (audited once), and every answer is the link then current. `NotFoundError` for an
   * unknown customer; a `from` that is no version is a `ValidationError`; either changes nothing.
   */
  rotate(customerId: string, actor: ActorInput, options?: { from?: string }): Promise<string>;
  /** The customer the token belongs to, or `null` (unknown, rotated away, or malformed: refused without a query). */
  resolve(token: string): Promise<string | null>;
  /** The ids of customers who have a token, after `afterId` (`''` from the start) in id order, at most `limit` (1–1000). */
  customersWithLinks(afterId: string, limit: number): Promise<string[]>;
  /**
   * The subscription's own token, made on first use: a link that serves this subscription alone (its devices and
   * limits), beside the customer's link, which keeps serving all of them. `NotFoundError` unless the subscription
   * exists and is `customerId`'s (so one customer never gets another's link).
   */
  tokenForSubscription(customerId: string, subscriptionId: string): Promise<string>;
  /**
   * The version of the subscription's own link (made on first use): 12 hex digits naming its current token without
   * opening it, which changes with each rotation. What a confirmation to replace the link carries, for
   * `rotateForSubscription`'s `from`. `NotFoundError` as `tokenForSubscription`.
   */
  subscriptionLinkVersion(customerId: string, subscriptionId: string): Promise<string>;
  /**
   * A new token for the subscription's own link, the old one dead from the moment this returns; audited as
   * `subscription_link.rotated` (subject the subscription). Returns the subscription's token after the call.
   * With `options.from` (a `subscriptionLinkVersion` read before, e.g. when the buyer was asked to confirm), only the
   * link still at that version is replaced: a confirmation sent twice, or handled on two replicas at once, rotates
   * once (audited once), and every answer is the link then current. `NotFoundError` as `tokenForSubscription`; a
   * `from` that is no version is a `ValidationError`; either changes nothing.
   */
  rotateForSubscription(customerId: string, subscriptionId: string, actor: ActorInput, options?: { from?: string }): Promise<string>;
  /**
   * What a token opens and the subscriptions it serves (in `statuses` when given): the customer's link all of the
   * customer's, a subscription's own link that one. `null` for an unknown, rotated, revoked or malformed token.
   * With `options.device`, the requesting app's known device is refreshed in the same read on the served
   * subscriptions in its statuses (`LinkScope.checked`; the others are `kit.devices.touch`'s to decide).
   */
  scope(token: string, options?: LinkScopeOptions): Promise<LinkScope | null>;
}

/** What `kit.links.toMake` answers: the rows a host's statement stores, and the tokens of the nonces it answers. */
export interface LinkTokensToMake {
  /** Each customer asked, once, with the candidate to store when it has no token: what `linkTokens.ensureMany` takes. */
  readonly requests: readonly LinkTokenRequest[];
  /**
   * The tokens of the customers whose nonce the host's statement answered (`nonces`, by customer id), by customer id;
   * one it answered none for is left out (its first token made by a statement the host's did not see: `tokenFor`).
   */
  tokensOf(nonces: ReadonlyMap<string, string>): Map<string, string>;
}

/** `createPanelkit`'s `links` option: what link tokens are derived with. */
export interface PanelkitLinksOptions {
  /**
   * At least 16 characters, stable for the shop's life: changing it breaks every buyer's link. A shop moving its own
   * link tokens onto `kit.links` passes the secret it derived them with.
   */
  secret: string;
}

const LinksOptionsSchema = z.object({ secret: z.string().min(16) });

/**
 * What a link version looks like (`kit.links.linkVersion`, `kit.links.subscriptionLinkVersion`): 12 lower-case hex digits, the first of its
 * token's SHA-256 (the hash storage keeps).
 */
export const LINK_VERSION_PATTERN = /^[0-9a-f]{12}$/;
const LinkVersionSchema = z.string().regex(LINK_VERSION_PATTERN, 'a link version: 12 lower-case hex digits');
const versionOf = (tokenHash: string): string => tokenHash.slice(0, 12);
/** A rotation's `from`, checked (`ValidationError` when it is no version). */
const fromVersion = (options: { from?: string }): string | undefined =>
  options.from === undefined ? undefined : parseInput(LinkVersionSchema, options.from, 'link version');

/** Refuses a `links` option that cannot derive tokens, saying what to pass. */
export function checkLinksOptions(options: PanelkitLinksOptions | undefined): void {
  if (options === undefined) return;
  if (!LinksOptionsSchema.safeParse(options).success) {
    throw new ConfigurationError("options.links.secret must be a string of at least 16 characters, stable for the shop's life");
  }
}

/** `kit.links` over the engine's storage; without `options` every call throws a `ConfigurationError`. */
export function createLinks(ctx: EngineContext, options: PanelkitLinksOptions | undefined): PanelkitLinks {
  const secret = (): string => {
    if (options === undefined) {
      throw new ConfigurationError(
        "kit.links needs a secret: createPanelkit({ ..., links: { secret } }) (at least 16 characters, stable for the shop's life)",
      );
    }
    return options.secret;
  };
  const tokenOf = (customerId: string, nonce: string): string =>
    createHmac('sha256', secret()).update(`subscription-link:${customerId}:${nonce}`).digest('base64url').slice(0, 32);
  const candidateFor = (customerId: string): LinkTokenCandidate => {
    const nonce = randomBytes(16).toString('base64url');
    return { nonce, tokenHash: hashOf(tokenOf(customerId, nonce)) };
  };
  const tokenFor = async (customerId: string): Promise<string> =>
    tokenOf(customerId, await ctx.storage.linkTokens.ensure(customerId, candidateFor(customerId)));
  // A subscription's own token hashes a different text from any customer's, so the two can never be the same.
  const subscriptionTokenOf = (subscriptionId: string, nonce: string): string =>
    createHmac('sha256', secret()).update(`subscription-link:sub:${subscriptionId}:${nonce}`).digest('base64url').slice(0, 32);
  const subscriptionCandidate = (subscriptionId: string): LinkTokenCandidate => {
    const nonce = randomBytes(16).toString('base64url');
    return { nonce, tokenHash: hashOf(subscriptionTokenOf(subscriptionId, nonce)) };
  };
  const owned = async (customerId: string, subscriptionId: string): Promise<void> => {
    secret();
    const sub = typeof subscriptionId === 'string' ? await ctx.storage.subscriptions.get(subscriptionId) : null;
    if (sub === null || sub.customerId !== customerId) throw new NotFoundError('subscription', String(subscriptionId));
  };
  const tokenForSubscription = async (customerId: string, subscriptionId: string): Promise<string> => {
    await owned(customerId, subscriptionId);
    const nonce = await ctx.storage.linkTokens.ensureForSubscription(subscriptionId, subscriptionCandidate(subscriptionId));
    return subscriptionTokenOf(subscriptionId, nonce);
  };

  return {
    tokenFor,
    async tokensFor(customerIds) {
      const ids = [...new Set(customerIds)];
      const nonces = await ctx.storage.linkTokens.ensureMany(
        ids.map((customerId) => ({ customerId, candidate: candidateFor(customerId) })),
      );
      return new Map(ids.map((customerId, i) => [customerId, tokenOf(customerId, nonces[i]!)]));
    },
    toMake(customerIds) {
      const requests = [...new Set(customerIds)].map((customerId) => ({ customerId, candidate: candidateFor(customerId) }));
      return {
        requests,
        tokensOf: (nonces) =>
          new Map(
            requests.flatMap(({ customerId }) => {
              const nonce = nonces.get(customerId);
              return nonce === undefined ? [] : [[customerId, tokenOf(customerId, nonce)] as const];
            }),
          ),
      };
    },
    async linkVersion(customerId) {
      return versionOf(hashOf(await tokenFor(customerId)));
    },
    async rotate(customerId, actor, options = {}) {
      const who = parseInput(ActorSchema, actor, 'actor');
      const from = fromVersion(options);
      // From a version: the current token's whole hash, which storage replaces only while it is still the one stored.
      let fromHash: string | undefined;
      if (from !== undefined) {
        fromHash = hashOf(await tokenFor(customerId));
        if (versionOf(fromHash) !== from) return tokenFor(customerId);
      }
      const candidate = candidateFor(customerId);
      await ctx.storage.transaction(async (tx) => {
        if (!(await tx.linkTokens.rotate(customerId, candidate, fromHash))) return;
        await tx.audit.append({ actor: who, action: ROTATED, subjectType: 'customer', subjectId: customerId, data: {} });
      });
      // A rotation committed just after this one wins: hand back the token that resolves now.
      return tokenFor(customerId);
    },
    async resolve(token) {
      secret();
      if (typeof token !== 'string' || !LINK_TOKEN_PATTERN.test(token)) return null;
      return ctx.storage.linkTokens.customerByHash(hashOf(token));
    },
    async customersWithLinks(afterId, limit) {
      secret();
      return ctx.storage.linkTokens.customersAfter(afterId, limit);
    },
    tokenForSubscription,
    async subscriptionLinkVersion(customerId, subscriptionId) {
      return versionOf(hashOf(await tokenForSubscription(customerId, subscriptionId)));
    },
    async rotateForSubscription(customerId, subscriptionId, actor, options = {}) {
      const who = parseInput(ActorSchema, actor, 'actor');
      const from = fromVersion(options);
      // From a version: the current token's whole hash, which storage replaces only while it is still the one stored.
      let fromHash: string | undefined;
      if (from !== undefined) {
        fromHash = hashOf(await tokenForSubscription(customerId, subscriptionId));
        if (versionOf(fromHash) !== from) return tokenForSubscription(customerId, subscriptionId);
      } else await owned(customerId, subscriptionId);
      const candidate = subscriptionCandidate(subscriptionId);
      await ctx.storage.transaction(async (tx) => {
        if (!(await tx.linkTokens.rotateForSubscription(subscriptionId, candidate, fromHash))) return;
        await tx.audit.append({ actor: who, action: ROTATED, subjectType: 'subscription', subjectId: subscriptionId, data: {} });
      });
      return tokenForSubscription(customerId, subscriptionId);
    },
    async scope(token, options) {
      secret();
      return resolveLinkScope(ctx, token, options);
    },
  };
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
