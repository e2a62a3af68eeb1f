import { NewCampaignAttributionSchema } from '@panelkit/sdk/campaigns';
import type { CampaignAttribution, CampaignAttributionResult, NewCampaignAttribution } from '@panelkit/sdk/campaigns';
import { inputKey, parseInput } from '@panelkit/sdk/storage';
import type { Customer } from '@panelkit/sdk';
import { copy } from '../internal/copy.js';
import type { Op } from '../internal/op.js';
import { Table } from '../internal/table.js';

/** An attribution stored under its customer's id (one per customer). */
export type AttributionRow = CampaignAttribution & { id: string };

/** The campaign each customer came through. */
export type CampaignTable = Table<AttributionRow>;

/** An empty attribution table for a new memory storage. */
export function createCampaignTable(): CampaignTable {
  return new Table<AttributionRow>('campaign attribution', []);
}

const attributionOf = ({ id: _id, ...attribution }: AttributionRow): CampaignAttribution => copy(attribution);

/** Campaign attributions; each call is one check and write under the storage's lock, so the first one wins. */
export function campaignOperations(attributions: CampaignTable, customers: Table<Customer>) {
  return {
    attribute(op: Op, input: NewCampaignAttribution): CampaignAttributionResult {
      const parsed = parseInput(NewCampaignAttributionSchema, input, 'campaign attribution');
      customers.require(parsed.customerId);
      const held = attributions.get(parsed.customerId);
      if (held !== undefined) return { attribution: attributionOf(held), created: false };
      const row: AttributionRow = { id: parsed.customerId, ...parsed, attributedAt: op.now };
      attributions.insert(op.undo, row);
      return { attribution: attributionOf(row), created: true };
    },

    get(_op: Op, customerId: string): CampaignAttribution | null {
      const row = attributions.get(inputKey(customerId, 'customer id'));
      return row === undefined ? null : attributionOf(row);
    },
  };
}
