/**
 * Test doubles that run anywhere (node:test, jest, a plain script): a clock that moves only when told to and an
 * in-memory panel adapter with faults on demand. Unlike `@panelkit/sdk/testing`, nothing here needs vitest.
 *
 * @module
 */
export { ManualClock } from './testing/manual-clock.js';
export { FakePanelAdapter } from './testing/fake-panel/index.js';
export type { FakeClient, FakeFault, FakePanelOperation, FakePanelOptions } from './testing/fake-panel/index.js';
