export { ManualClock } from './manual-clock.js';
export { describeStoragePort } from './storage/index.js';
export type { DescribeStoragePortOptions, StorageFactoryContext, StorageUnderTest } from './storage/index.js';
export { FakePanelAdapter } from './fake-panel/index.js';
export type { FakeClient, FakeFault, FakePanelOperation, FakePanelOptions, FakeTargetOptions } from './fake-panel/index.js';
export * from './panel/index.js';
export { describePaymentProvider } from './payments/index.js';
export type { PaymentCapabilityHarness, PaymentDelivery, PaymentGatewayHarness, PaymentProviderUnderTest } from './payments/index.js';
export { figuresFromRows } from './figures-oracle.js';
