/**
 * Simulators of the payment gateways, for tests and demos: each keeps its state in memory, speaks the gateway's wire
 * protocol, answers a Fetch `Request` with `handle(request)`, and serves itself on 127.0.0.1 with `start()`.
 */
export { GatewaySimulator, type ChargeAnswer, type GatewayAnswer } from './simulators/gateway-simulator.js';
export {
  YooKassaSimulator,
  type YooKassaSimPayment,
  type YooKassaSimReceipt,
  type YooKassaSimRefund,
  type YooKassaSimulatorOptions,
} from './simulators/yookassa.js';
export {
  StripeSimulator,
  type StripeSimCharge,
  type StripeSimIntent,
  type StripeSimRefund,
  type StripeSimSession,
  type StripeSimulatorOptions,
  type StripeWebhook,
} from './simulators/stripe.js';
