export { parseShareLink, ShareLinkError, type ParsedShareLink, type ShareLinkProtocol } from './parse.js';
export { shareLinkToOutbound, type CoreOutbound, type CoreProtocol, type ShareLinkToOutboundOptions } from './outbound.js';
