export { FakePanelAdapter } from './fake-panel-adapter.js';
export type { FakeClient, FakePanelOptions } from './fake-panel-adapter.js';
export type { FakeFault, FakePanelOperation } from './faults.js';
export type { FakeTargetOptions } from './fake-targets.js';
