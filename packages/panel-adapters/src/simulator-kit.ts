/**
 * `@panelkit/panel-adapters/simulator-kit`: the harness the bundled simulators are built on, for
 * writing a simulator of a new panel kind (see docs/guides/writing-a-panel-adapter.md). Extend
 * `SimulatorBase` (latency, queued faults, lost responses, request counting), route with `Router`,
 * answer with `json` and `empty`, read bodies with `readForm` and `readJsonBody`, and serve the
 * result with `serveOnLocalhost` from `@panelkit/panel-adapters/testing`.
 *
 * @module
 */
export { SimulatorBase } from './simulators/harness/simulator-base.js';
export { Router, json, empty, readForm, readJsonBody, type RouteHandler, type RouteParams } from './simulators/harness/router.js';
export { FaultQueue } from './simulators/harness/faults.js';
