export { XuiAdapter, createXuiAdapter, type XuiAdapterOptions } from './adapter.js';
export type { XuiAuth } from './session.js';
export type { XuiGeneration } from './probe.js';
export {
  buildShareLinks as buildXuiShareLinks,
  type LinkClient as XuiLinkClient,
  type LinkInbound as XuiLinkInbound,
  type LinkStyle as XuiLinkStyle,
  type ShareLinkOptions as XuiShareLinkOptions,
} from './links/share-links.js';
export type { RemarkOptions as XuiRemarkOptions, RemarkStats as XuiRemarkStats } from './links/remark.js';
