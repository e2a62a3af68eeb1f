import { defineHostJob, enqueueHostJob, type HostJobRetry } from '@panelkit/sdk';
import type { StorageTransaction } from '@panelkit/sdk/storage';
import { z } from 'zod';

/** The host job that mails one e-mail code (only a process with the email channel runs it). */
export const EMAIL_CODE_MAIL_TYPE = 'shop.email_code.send';

/** A code's mail is worth sending only while the code works: a few quick attempts, then it is given up. */
export const EMAIL_CODE_MAIL_RETRY: Required<HostJobRetry> = {
  maxAttempts: 5,
  baseDelayMs: 5_000,
  maxDelayMs: 60_000,
  giveUpAfterMs: 10 * 60_000,
};

/** The mail job's payload: the code's row (the code itself is read sealed from it, never put in the job). */
export const EmailCodeMailPayload = z.object({ codeId: z.string().min(1) });

const queue = defineHostJob({
  type: EMAIL_CODE_MAIL_TYPE,
  payload: EmailCodeMailPayload,
  retry: EMAIL_CODE_MAIL_RETRY,
  run: () => Promise.reject(new Error('this definition only enqueues; the worker runs the one emailCodeMailJob() builds')),
});

/** Queues a code's mail in `tx`, the transaction that writes the code: once per code. */
export async function enqueueEmailCodeMail(tx: StorageTransaction, codeId: string): Promise<void> {
  await enqueueHostJob(tx, queue, { codeId }, { key: codeId });
}
