export { XuiCore, type XuiCoreOptions, type CoreTrafficReport } from './xui-core.js';
export { buildCoreConfig, servedClients, type CoreConfig, type CoreInboundStatus } from './config.js';
export { CoreProcess, freeLocalPort, isLocalPortFree } from './process.js';
export { parseQueryStats, queryUserTraffic, type ClientTrafficDelta } from './stats.js';
export { startLinkClient, type LinkClient } from './link-client.js';
