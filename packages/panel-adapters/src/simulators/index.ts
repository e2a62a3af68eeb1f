/**
 * Every simulator export, internals included (state, sessions, routers, wire helpers): for this
 * repository's own tests through relative imports. Not a package entry; the public surface is
 * `src/testing.ts`.
 */
export * from './harness/index.js';
export * from './sui/index.js';
export * from './marzban/index.js';
export * from './marzneshin/index.js';
export * from './xui/index.js';
export * from './remnawave/index.js';
export * from './pasarguard/index.js';
