import { z } from 'zod';
import { GATEWAY_RAILS, type GatewayRail } from '../../app/payments/rails/gateway-rails.js';

/** The JSON API's gateway top-up route, in Express's form. */
export const GATEWAY_TOP_UP_PATH = '/api/v1/gateway-topups/:rail';

/** The `:rail` of {@link GATEWAY_TOP_UP_PATH}: one of the gateways the shop knows (any other is a 404). */
export const GatewayRailParam = z.enum(GATEWAY_RAILS);

/** Where a client starts a top-up through `rail` (`POST`). */
export function gatewayTopUpPath(rail: GatewayRail): string {
  return GATEWAY_TOP_UP_PATH.replace(':rail', rail);
}
