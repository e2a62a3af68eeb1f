import { createHash, createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ActorSchema } from '../domain/common.js';
import type { ActorInput } from '../domain/common.js';
import { parseInput } from '../domain/validate.js';
import { ConfigurationError } from '../errors.js';
import type { LinkTokenCandidate } from '../ports/storage-link-tokens.js';
import type { EngineContext } from './context.js';

/** What a link token looks like: 32 characters of base64url. Anything else resolves to nothing without a query. */
export const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** The audit action of a rotation (subject: the customer). */
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
   * A new token for the customer: the old one resolves to nothing from the moment this returns. Audited as
   * `subscription_link.rotated` (subject the customer) with `actor`, in the rotation's transaction. Returns the
   * customer's token after the rotation. `NotFoundError` for an unknown customer, and nothing changes.
   */
  rotate(customerId: string, actor: ActorInput): Promise<string>;
  /** The customer the token belongs to, or `null` (unknown, rotated away, or malformed: refused without a query). */
  resolve(token: string): Promise<string | null>;
  /** The ids of customers who have a token, after `afterId` (`''` from the start) in id order, at most `limit` (1–1000). */
  customersWithLinks(afterId: string, limit: number): Promise<string[]>;
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

  return {
    tokenFor,
    async rotate(customerId, actor) {
      const who = parseInput(ActorSchema, actor, 'actor');
      const candidate = candidateFor(customerId);
      await ctx.storage.transaction(async (tx) => {
        await tx.linkTokens.rotate(customerId, candidate);
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
  };
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
