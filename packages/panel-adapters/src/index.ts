/**
 * Panel adapters for 3x-ui (both API generations), S-UI, Marzban, Marzneshin, PasarGuard and Remnawave, and
 * `createPanelAdapter`, which picks the adapter for a stored panel by its kind.
 */
export * from './http/index.js';
export * from './sui/index.js';
export * from './marzban/index.js';
export * from './marzneshin/index.js';
export * from './xui/index.js';
export * from './share-links/index.js';
export * from './remnawave/index.js';
export * from './pasarguard/index.js';
export * from './registry.js';
