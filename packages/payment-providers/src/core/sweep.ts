import { PaymentProviderUnavailableError, ValidationError, type Panelkit, type ValidationIssue } from '@panelkit/sdk';

/** Options of {@link sweepPendingPayments}. */
export interface SweepOptions {
  /** The provider ids whose notifications may be lost and whose own API can be asked instead (`verify`). */
  providers: readonly string[];
  /** A payment younger than this is left to its notification (it usually comes within seconds of paying). */
  quietMs: number;
  /** Pending payments asked about per provider and sweep: the newest page; older ones on later sweeps as these settle. */
  limit: number;
  /** The time now (default: the system clock), so a host with its own clock sweeps on it. */
  now?: Date;
}

/** A provider the sweep could not ask: the SDK's `PaymentProviderUnavailableError` it threw. */
export interface UnreachableProvider {
  providerId: string;
  error: PaymentProviderUnavailableError;
}

/** What one sweep did: how many payments it credited, and which providers could not be asked (none: `[]`). */
export interface SweepResult {
  credited: number;
  unreachable: UnreachableProvider[];
}

/**
 * Asks each provider (its look-up, through `kit.payments.verify`) about every pending payment older than `quietMs`:
 * a payment whose notification never came is credited now, once (the SDK credits at most once, whoever else confirms
 * it, on however many replicas). A provider that cannot be asked is left at the first payment it failed on and named
 * in `unreachable` (a host retries the sweep later; the payments it did ask about stay settled); any other error is
 * thrown. Framework-free: a host runs it from its own job or schedule. Options out of range are the SDK's
 * `ValidationError`, before anything is asked.
 */
export async function sweepPendingPayments(kit: Pick<Panelkit, 'payments'>, options: SweepOptions): Promise<SweepResult> {
  const issues: ValidationIssue[] = [];
  if (!Number.isSafeInteger(options.limit) || options.limit < 1) issues.push({ path: 'limit', message: 'a positive whole number' });
  if (!Number.isFinite(options.quietMs) || options.quietMs < 0) issues.push({ path: 'quietMs', message: 'zero or more milliseconds' });
  if (issues.length > 0) throw new ValidationError('sweepPendingPayments: options out of range', issues);
  const before = new Date((options.now ?? new Date()).getTime() - options.quietMs);
  const result: SweepResult = { credited: 0, unreachable: [] };
  for (const providerId of options.providers) {
    const pending = await kit.payments.list({ providerId, statuses: ['pending'], createdBefore: before }, { limit: options.limit });
    for (const payment of pending.items) {
      try {
        const { outcome } = await kit.payments.verify(payment.id, {});
        if (outcome === 'credited') result.credited++;
      } catch (error) {
        if (!PaymentProviderUnavailableError.is(error)) throw error;
        result.unreachable.push({ providerId, error });
        break;
      }
    }
  }
  return result;
}
