/**
 * Panel adapters for 3x-ui (both API generations), S-UI, Marzban, Marzneshin and Remnawave.
 */
export * from './http/index.js';
export * from './sui/index.js';
export * from './marzban/index.js';
export * from './marzneshin/index.js';
export * from './xui/index.js';
export * from './share-links/index.js';
export * from './remnawave/index.js';
