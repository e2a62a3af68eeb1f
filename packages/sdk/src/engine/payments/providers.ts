import { PaymentSchema, type PaymentConfirmation } from '../../domain/payment.js';
import { ConfigurationError, EligibilityError, NotFoundError } from '../../errors.js';
import type { PaymentProvider } from '../../ports/payment-provider.js';

/** The providers a kit was given, by id, checked once at start. */
export class PaymentProviderRegistry {
  readonly #byId = new Map<string, PaymentProvider>();

  constructor(providers: readonly PaymentProvider[]) {
    for (const provider of providers) {
      if (!PaymentSchema.shape.providerId.safeParse(provider.id).success)
        throw new ConfigurationError(`payment provider id ${JSON.stringify(provider.id)} must be 1–40 of a-z 0-9 _ -`);
      if (this.#byId.has(provider.id)) throw new ConfigurationError(`two payment providers have the id ${provider.id}`);
      const { confirmations } = provider.capabilities;
      if (confirmations.length === 0) throw new ConfigurationError(`payment provider ${provider.id} declares no way to confirm a payment`);
      if (confirmations.includes('gateway') && provider.parseCallback === undefined && provider.verify === undefined)
        throw new ConfigurationError(
          `payment provider ${provider.id} is confirmed by its gateway but has neither parseCallback nor verify`,
        );
      if (provider.capabilities.refunds !== undefined && provider.refund === undefined)
        throw new ConfigurationError(`payment provider ${provider.id} declares refunds but has no refund`);
      if (provider.capabilities.savedMethods === true && provider.chargeSavedMethod === undefined)
        throw new ConfigurationError(`payment provider ${provider.id} declares saved methods but has no chargeSavedMethod`);
      this.#byId.set(provider.id, provider);
    }
  }

  /** Every provider, in the order given. */
  list(): PaymentProvider[] {
    return [...this.#byId.values()];
  }

  /** The provider, or `NotFoundError`. */
  require(id: string): PaymentProvider {
    const provider = this.#byId.get(id);
    if (provider === undefined) throw new NotFoundError('payment provider', id);
    return provider;
  }

  /** The provider, refusing (`EligibilityError`, reason `payment_path_not_allowed`) a confirmation it does not declare. */
  requireConfirmation(id: string, confirmation: PaymentConfirmation): PaymentProvider {
    const provider = this.require(id);
    if (!provider.capabilities.confirmations.includes(confirmation))
      throw new EligibilityError(`payments of ${id} cannot be confirmed by ${confirmation}`, ['payment_path_not_allowed'], {
        details: { providerId: id, confirmation, allowed: [...provider.capabilities.confirmations] },
      });
    return provider;
  }
}
