export { ManualClock } from './manual-clock.js';
export { describeStoragePort } from './storage/index.js';
export type { DescribeStoragePortOptions, StorageFactoryContext, StorageUnderTest } from './storage/index.js';
export type { FaultScope, PanelFactoryContext, PanelFault, PanelTestControls, PanelUnderTest } from './panel/harness.js';
export * from './panel/index.js';
