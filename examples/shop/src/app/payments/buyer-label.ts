import type { Customer } from '@panelkit/sdk';

/** How staff see a buyer on a receipt: "name · email", whichever of the two the buyer has, else the customer id. */
export function buyerLabel(customer: Pick<Customer, 'id' | 'name' | 'email'> | null, customerId: string): string {
  const parts = [customer?.name, customer?.email].filter((part): part is string => typeof part === 'string' && part.length > 0);
  return parts.length === 0 ? customerId : parts.join(' · ');
}
