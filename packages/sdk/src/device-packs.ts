/**
 * `@panelkit/sdk/device-packs`: extra devices sold on top of a subscription's device limit. A plan's offer
 * (`Plan.devicePack`: a price per device per 30 days, the most extra devices at once), what `kit.devices.quotePack`
 * and `kit.devices.buyPack` take and answer, and what an extension keeps (`KeptDevices`, `kit.extend`'s
 * `keepExtraDevices`). The pricing rule itself (`decideDevicePack`, `devicePackRenewalPrice`, `extraDevicesOf`) is
 * on `@panelkit/sdk/rules`.
 *
 * A pack is an order (one line: the plan, the devices at the prorated unit price) paid by a `device_pack` ledger
 * debit, so it counts in the sales figures and `kit.refund` refunds it like any order (a full refund takes the
 * devices back). The limit rises at once on the shop's link; a panel that enforces a limit itself
 * (`capabilities.deviceLimit`) is updated by a job. A renewal without `keepExtraDevices` (priced for the new
 * period) lets them fall back to the plan's limit at the end of the period they were paid for: at once when it is
 * over, else at that end by a durable `device.pack_lapse` job queued with the renewal (an early renewal never takes
 * devices already paid for); an auto-renewal renews the plan alone, so they fall back the same way.
 *
 * @module
 */
export { BuyDevicePackRequestSchema } from './engine/device-pack.js';
export type { BuyDevicePackRequest, BuyDevicePackResult, DevicePackQuoteResult } from './engine/device-pack.js';
export { DevicePackOfferSchema } from './domain/plan.js';
export type { DevicePackOffer } from './domain/plan.js';
export type { KeptDevices } from './engine/extension.js';
