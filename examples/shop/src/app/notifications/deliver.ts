import { RetryLaterError, type Customer } from '@panelkit/sdk';
import { isLocale, type Locale } from '../../i18n/translate.js';
import type { Shop } from '../shop.js';
import { deliveriesOf, type Delivery } from '../../db/notification-deliveries.js';
import type { DeliveryRead, Notification, Recipient } from '../../db/notifications.js';
import { DeliveryRefusedError, type NotificationChannel, type RenderedMessage } from './channel.js';
import { linkReaderOf, readingParams } from './reading-params.js';
import { renderNotification } from './render.js';
import { shopNameOfStorefront } from '../storefront-bots/shop-name.js';

/** What rendering a batch's notifications reads about their recipients (`recipientsOf`). */
interface RecipientReads {
  reader(recipient: Recipient): Promise<{ locale: Locale; shopName: string }>;
  tokenFor(customerId: string): Promise<string>;
}

/** One delivery to send now: read (or just written) with its notification, and the attempt this send is. */
export interface DueDelivery extends DeliveryRead {
  /** The attempt this is (a send job's `job.attempts`; 1 for the send its cause makes): what the delivery records. */
  attempt: number;
  /** Whose outcome this is: the send job's id, or the delivery's id for the send its cause makes. */
  key: string;
}

/**
 * Sends deliveries on a channel: what a send job does with the deliveries it read, and what an event's notices job
 * does with the ones it wrote for a channel that sends them at once (`NotificationChannel.sentWhenWritten`).
 * Answers the deliveries to try again (by `DueDelivery.key`), each with its error; one refused for good is marked
 * failed here and not answered. `known`: what the caller read or made already, not read again: recipients (`buyers`,
 * by customer id) and link tokens (`tokens`, by customer id).
 */
export type Deliverer = (
  channel: NotificationChannel,
  due: readonly DueDelivery[],
  known?: KnownToDeliver,
  marking?: SentMarking,
) => Promise<Map<string, unknown>>;

/**
 * How a `Deliverer` marks the deliveries it sent, each with its attempt: by default one `markSentMany` statement of
 * their own; an event's notices job gathers them, to mark them in the transaction that completes it.
 */
export type SentMarking = (sent: readonly { id: string; attempts: number }[]) => Promise<void>;

/** What a `Deliverer`'s caller read or made already: buyers and link tokens, each by customer id. */
export interface KnownToDeliver {
  buyers?: ReadonlyMap<string, Customer>;
  tokens?: ReadonlyMap<string, string>;
}

/**
 * The one way notifications are sent: the recipients read at once (`recipientsOf`), each rendered in its reader's
 * language, all handed to the channel together (`sendMany`, else one `send` each), the ones sent marked so in one
 * statement (or as the caller's `marking` says), each failure noted on its delivery (a refusal for good marks it failed).
 */
export function deliverer(shop: Shop): Deliverer {
  const log = shop.logger.child({ component: 'notifications' });
  const deliveries = deliveriesOf(shop);

  /**
   * What rendering these notifications reads about their recipients, read for all of them at once: the buyers not
   * `known` already (one `customers.getMany`) and the link tokens not `known` of those whose notice carries their link
   * (one `kit.links.tokensFor`).
   */
  async function recipientsOf(notifications: readonly Notification[], known: KnownToDeliver): Promise<RecipientReads> {
    const knownBuyers = known.buyers ?? new Map<string, Customer>();
    const knownTokens = known.tokens ?? new Map<string, string>();
    const buyers = [
      ...new Set(
        notifications.flatMap((n) =>
          n.recipient.kind === 'customer' && !knownBuyers.has(n.recipient.customerId) ? [n.recipient.customerId] : [],
        ),
      ),
    ];
    const linked = [...new Set(notifications.flatMap((n) => linkReaderOf(n) ?? []))].filter((id) => !knownTokens.has(id));
    const [customers, read] = await Promise.all([
      buyers.length === 0 ? [] : shop.storage.customers.getMany(buyers),
      // All or none: when one buyer's token cannot be made, each is made alone below, so only that delivery fails.
      linked.length === 0 ? new Map<string, string>() : shop.kit.links.tokensFor(linked).catch(() => new Map<string, string>()),
    ]);
    const byId = new Map([...knownBuyers, ...customers.map((c) => [c.id, c] as const)]);
    const tokens = new Map([...knownTokens, ...read]);
    return {
      /** The language and the shop name the recipient reads (a storefront's buyer: under its name, issue 70). */
      async reader(recipient) {
        if (recipient.kind === 'staff') return { locale: shop.config.notifications.staffLocale, shopName: shop.config.shopName };
        const customer = byId.get(recipient.customerId);
        const locale = customer?.locale;
        return { locale: isLocale(locale) ? locale : 'en', shopName: await shopNameOfStorefront(shop, customer?.storefrontId ?? null) };
      },
      tokenFor: (customerId) => Promise.resolve(tokens.get(customerId) ?? shop.kit.links.tokenFor(customerId)),
    };
  }

  /**
   * What a delivery that was not sent leaves behind: one refused for good is marked failed here (nothing to retry:
   * answers `null`); any other failure is noted on the delivery and answered, to be tried again.
   */
  async function settleFailure(channel: NotificationChannel, delivery: Delivery, attempt: number, error: unknown): Promise<unknown> {
    if (error instanceof DeliveryRefusedError) {
      // Final for this message: failed now with the address's reason (nothing to retry).
      log.info({ deliveryId: delivery.id, channel: channel.name, reason: error.reason }, 'delivery refused');
      await deliveries.markRefused(delivery.id, attempt, error.reason);
      return null;
    }
    const attempted = { deliveryId: delivery.id, channel: channel.name, attempt };
    // Routine (Telegram's 429 with its retry_after, a 5xx): tried again then; one line says so, no stack.
    if (RetryLaterError.is(error))
      log.info({ ...attempted, retryAfterMs: error.retryAfterMs, reason: error.message }, 'delivery will be retried later');
    else log.warn({ err: error, ...attempted }, 'delivery failed');
    await deliveries.noteAttempt(delivery.id, attempt, error instanceof Error ? error.message : String(error));
    return error;
  }

  const markSent: SentMarking = async (sent) => {
    await deliveries.markSentMany(sent);
  };

  return async (channel, due, known = {}, marking = markSent) => {
    const failed = new Map<string, unknown>();
    const fail = async (d: DueDelivery, error: unknown) => {
      const left = await settleFailure(channel, d.delivery, d.attempt, error);
      if (left !== null) failed.set(d.key, left);
    };
    let recipients: RecipientReads;
    try {
      recipients = await recipientsOf(
        due.map((d) => d.notification),
        known,
      );
    } catch (error) {
      await Promise.all(due.map((d) => fail(d, error)));
      return failed;
    }
    const rendered: (DueDelivery & { message: RenderedMessage })[] = [];
    await Promise.all(
      due.map(async (d) => {
        try {
          const { locale, shopName } = await recipients.reader(d.notification.recipient);
          const params = await readingParams(shop, d.notification, locale, recipients.tokenFor);
          rendered.push({
            ...d,
            message: renderNotification(d.notification.kind, params, { locale, timeZone: shop.config.timeZone, shopName }),
          });
        } catch (error) {
          await fail(d, error);
        }
      }),
    );
    const outgoing = rendered.map(({ delivery, message }) => ({
      address: delivery.address,
      message,
      idempotencyKey: delivery.idempotencyKey,
    }));
    const sendEach = () =>
      Promise.all(
        outgoing.map((m) =>
          channel.send(m.address, m.message, m.idempotencyKey).then(
            () => null,
            (error: unknown) => ({ error }),
          ),
        ),
      );
    // A sendMany that throws (its claim statement failed) failed every message it was given.
    const outcomes = await (channel.sendMany?.(outgoing) ?? sendEach()).catch((error: unknown) => outgoing.map(() => ({ error })));
    const sent: { id: string; attempts: number }[] = [];
    await Promise.all(
      rendered.map(async (d, i) => {
        const outcome = outcomes[i];
        if (outcome) await fail(d, outcome.error);
        else sent.push({ id: d.delivery.id, attempts: d.attempt });
      }),
    );
    await marking(sent);
    return failed;
  };
}
