export { XuiAdapter, createXuiAdapter, type XuiAdapterOptions } from './adapter.js';
export type { XuiAuth } from './session.js';
export type { XuiGeneration } from './probe.js';
export { buildShareLinks, type LinkClient, type LinkInbound, type LinkStyle, type ShareLinkOptions } from './links/share-links.js';
export type { RemarkOptions, RemarkStats } from './links/remark.js';
