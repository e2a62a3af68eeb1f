/**
 * EPay (易支付) for Alipay and WeChat Pay in yuan: the provider, the framework-free notify check, the signature and
 * the gateway's API (cashier redirect, `mapi.php`, the order query, the merchant-key check).
 */
export { epayProvider, EPAY_ORDER_TTL_MS, MAX_PENDING_EPAY, type EpayOptions } from './epay/provider.js';
export {
  EPAY_CURRENCY,
  EPAY_PROVIDER,
  EPAY_TRADE_SUCCESS,
  epayNotifyParams,
  readEpayNotify,
  type EpayNotifyInput,
} from './epay/notify.js';
export { epaySign, epaySignedString, verifyEpaySign } from './epay/signature.js';
export {
  checkEpayKey,
  createMapiOrder,
  EPAY_METHODS,
  EPAY_MODES,
  EpayError,
  queryOrder,
  submitUrl,
  type EpayApi,
  type EpayKeyCheck,
  type EpayMapiOrder,
  type EpayMethod,
  type EpayMode,
  type EpayOrder,
  type EpayOrderState,
} from './epay/api.js';
