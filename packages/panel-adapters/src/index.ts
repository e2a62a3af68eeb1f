/**
 * Panel adapters for 3x-ui (both API generations), S-UI, Marzban and Marzneshin.
 */
export * from './http/index.js';
export * from './sui/index.js';
export * from './marzban/index.js';
export * from './marzneshin/index.js';
export * from './xui/index.js';
export * from './share-links/index.js';
