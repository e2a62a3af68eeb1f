/**
 * Panel adapters for 3x-ui (both API generations), S-UI, Marzban and Marzneshin.
 */
export * from './http/index.js';
