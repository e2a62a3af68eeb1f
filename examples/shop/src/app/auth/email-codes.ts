import { randomInt } from 'node:crypto';
import { defineHostJob, type HostJobDefinition } from '@panelkit/sdk';
import { EMAIL_CODE_MAIL_RETRY, EMAIL_CODE_MAIL_TYPE, EmailCodeMailPayload, enqueueEmailCodeMail } from '../../db/email-code-outbox.js';
import { EMAIL_CODE_TTL_MS, emailCodeContext, emailCodesOf, type EmailCodePurpose } from '../../db/email-codes.js';
import { isLocale, translator } from '../../i18n/translate.js';
import type { NotificationChannel } from '../notifications/channel.js';
import type { Shop } from '../shop.js';

/** Codes one address is sent per purpose per hour at most (a request past it answers the same and sends nothing). */
export const EMAIL_CODES_PER_HOUR = 5;

/** Whether the shop can send codes: mail is set up (`SMTP_URL`, `MAIL_FROM`). */
export function canSendEmailCodes(shop: Shop): boolean {
  return shop.config.notifications.email !== null;
}

/** Six digits, uniformly drawn: easy to type from a phone, and five guesses per code give a stranger 1 in 200 000. */
function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * Sends a one-time code to `email` for `purpose`: the code's row and the job that mails it are written in one
 * transaction, so a code exists exactly when its mail is queued. Sends nothing (and says so only to the log) past
 * {@link EMAIL_CODES_PER_HOUR} or when mail is not set up; the caller answers the same either way.
 */
export async function sendEmailCode(
  shop: Shop,
  input: { purpose: EmailCodePurpose; email: string; locale: string; accountId?: string | null; subject?: string | null },
): Promise<boolean> {
  if (!canSendEmailCodes(shop)) return false;
  const store = emailCodesOf(shop);
  const since = new Date(shop.clock.now().getTime() - 3_600_000);
  if ((await store.issuedSince(input.purpose, input.email, since)) >= EMAIL_CODES_PER_HOUR) {
    shop.logger.warn({ component: 'email-codes', purpose: input.purpose }, 'e-mail code refused: too many this hour');
    return false;
  }
  const id = store.newId();
  const code = newCode();
  const sealed = shop.secretBox.seal(code, emailCodeContext(id));
  await shop.storage.transaction(async (tx) => {
    await store.insert(tx, {
      id,
      purpose: input.purpose,
      email: input.email,
      accountId: input.accountId ?? null,
      subject: input.subject ?? null,
      locale: input.locale,
      code,
      sealed,
    });
    await enqueueEmailCodeMail(tx, id);
  });
  return true;
}

/**
 * The worker's job that mails a code: opens the sealed copy, sends it on the email channel with the code's id as the
 * idempotency key, then blanks the sealed copy. A code already used or expired is not sent (and its copy blanked).
 */
export function emailCodeMailJob(shop: Shop, channels: readonly NotificationChannel[]): HostJobDefinition[] {
  const email = channels.find((c) => c.name === 'email');
  if (email === undefined) return [];
  const store = emailCodesOf(shop);
  return [
    defineHostJob({
      type: EMAIL_CODE_MAIL_TYPE,
      payload: EmailCodeMailPayload,
      retry: EMAIL_CODE_MAIL_RETRY,
      async run({ codeId }) {
        const pending = await store.pending(codeId);
        if (pending === null || pending.sealedCode === null) return;
        if (pending.usedAt !== null || pending.expiresAt <= shop.clock.now()) return store.forgetSealed(codeId);
        const code = shop.secretBox.open(pending.sealedCode, emailCodeContext(codeId));
        const t = translator(isLocale(pending.locale) ? pending.locale : 'en');
        const minutes = t('subscription.duration.minutes', { count: EMAIL_CODE_TTL_MS / 60_000 });
        await email.send(
          pending.email,
          {
            subject: t(`signin.mail.${pending.purpose}.subject`, { shop: shop.config.shopName, code }),
            text: t(`signin.mail.${pending.purpose}.text`, { shop: shop.config.shopName, code, minutes }),
          },
          `email-code-${codeId}`,
        );
        await store.forgetSealed(codeId);
      },
      async onDead({ codeId }) {
        await store.forgetSealed(codeId);
      },
    }),
  ];
}
