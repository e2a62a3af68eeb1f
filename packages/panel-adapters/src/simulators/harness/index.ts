export { SimulatorBase, type SimulatorBaseOptions, type RequestCounts } from './simulator-base.js';
export { Router, json, empty, readForm, readJsonBody, type RouteHandler, type RouteParams } from './router.js';
export { FaultQueue } from './faults.js';
export { serveOnLocalhost, type RunningSimulator } from './serve.js';
export type { FetchHandler } from './types.js';
