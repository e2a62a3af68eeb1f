/**
 * Stateful panel simulators (one per kind) that speak the panels' real wire protocol, for tests
 * and demos. Serve one with `serveOnLocalhost(sim.handle)` or, in msw tests, with `mswHandler` from
 * `@panelkit/panel-adapters/msw`.
 */
export * from './simulators/harness/index.js';
export * from './simulators/sui/index.js';
export * from './simulators/marzban/index.js';
export * from './simulators/marzneshin/index.js';
export * from './simulators/xui/index.js';
