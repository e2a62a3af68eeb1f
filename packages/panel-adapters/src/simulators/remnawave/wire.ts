/** The simulated Remnawave's bodies: users as `ExtendedUsersSchema`, squads, and the two error shapes. */
import { json } from '../harness/index.js';
import type { RemnawaveSimInbound, RemnawaveSimSquad, RemnawaveSimUser } from './state.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** `ExtendedUsersSchema`: the user, its squads by uuid and name, its traffic and subscription URL. */
export function userBody(
  user: RemnawaveSimUser,
  squads: ReadonlyMap<string, RemnawaveSimSquad>,
  subPublicDomain: string,
): Record<string, unknown> {
  return {
    id: user.id,
    shortUuid: user.shortUuid,
    username: user.username,
    status: user.status,
    trafficLimitBytes: user.trafficLimitBytes,
    trafficLimitStrategy: user.trafficLimitStrategy,
    expireAt: iso(user.expireAt),
    telegramId: user.telegramId,
    email: user.email,
    description: user.description,
    tag: user.tag,
    hwidDeviceLimit: user.hwidDeviceLimit,
    externalSquadUuid: user.externalSquadUuid,
    trojanPassword: user.trojanPassword,
    vlessUuid: user.vlessUuid,
    ssPassword: user.ssPassword,
    lastTriggeredThreshold: user.lastTriggeredThreshold,
    subRevokedAt: isoOrNull(user.subRevokedAt),
    lastTrafficResetAt: isoOrNull(user.lastTrafficResetAt),
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
    subscriptionUrl: `https://${subPublicDomain}/${user.shortUuid}`,
    activeInternalSquads: user.squads.map((uuid) => ({ uuid, name: squads.get(uuid)?.name ?? '' })),
    userTraffic: {
      usedTrafficBytes: user.usedTrafficBytes,
      lifetimeUsedTrafficBytes: user.lifetimeUsedTrafficBytes,
      onlineAt: isoOrNull(user.onlineAt),
      firstConnectedAt: isoOrNull(user.firstConnectedAt),
      lastConnectedNodeUuid: null,
    },
  };
}

/** `InternalSquadSchema`: members counted, inbounds as `ConfigProfileInboundsSchema`. */
export function squadBody(
  squad: RemnawaveSimSquad,
  position: number,
  members: number,
  inbounds: ReadonlyMap<string, RemnawaveSimInbound>,
  createdAt: number,
): Record<string, unknown> {
  const own = squad.inboundUuids.map((uuid) => inbounds.get(uuid)).filter((inbound) => inbound !== undefined);
  return {
    uuid: squad.uuid,
    viewPosition: position,
    name: squad.name,
    tags: [],
    info: { membersCount: members, inboundsCount: own.length },
    inbounds: own.map((inbound) => ({
      uuid: inbound.uuid,
      profileUuid: inbound.profileUuid,
      tag: inbound.tag,
      type: inbound.type,
      network: inbound.network,
      security: inbound.security,
      port: inbound.port,
      rawInbound: null,
    })),
    createdAt: iso(createdAt),
    updatedAt: iso(createdAt),
  };
}

/** `{ response: … }`, as every answer of the API is wrapped. */
export function ok(response: unknown, status = 200): Response {
  return json({ response }, status);
}

/** `ERRORS` entries the simulator answers with: code, the panel's message and HTTP status. */
export const SIM_ERRORS = {
  UNAUTHORIZED: { code: 'E401', message: 'Unauthorized', httpCode: 401 },
  FORBIDDEN: { code: 'E403', message: 'Forbidden', httpCode: 403 },
  CREATE_USER_ERROR: { code: 'A018', message: 'Failed to create user', httpCode: 500 },
  USER_USERNAME_ALREADY_EXISTS: { code: 'A019', message: 'User username already exists', httpCode: 400 },
  USER_SHORT_UUID_ALREADY_EXISTS: { code: 'A020', message: 'User short UUID already exists', httpCode: 400 },
  USER_NOT_FOUND: { code: 'A025', message: 'User not found', httpCode: 404 },
  USER_ALREADY_DISABLED: { code: 'A029', message: 'User already disabled', httpCode: 400 },
  USER_ALREADY_ENABLED: { code: 'A030', message: 'User already enabled', httpCode: 400 },
  UPDATE_USER_ERROR: { code: 'A039', message: 'Update user error', httpCode: 500 },
  GET_USER_BY_UNIQUE_FIELDS_NOT_FOUND: { code: 'A063', message: 'User with specified params not found', httpCode: 404 },
  USER_HWID_DEVICE_ALREADY_EXISTS: { code: 'A098', message: 'User hwid device already exists', httpCode: 400 },
  USER_HWID_DEVICE_LIMIT_REACHED: { code: 'A099', message: 'User hwid device limit reached', httpCode: 400 },
  INTERNAL_SQUAD_NOT_FOUND: { code: 'A118', message: 'Internal squad not found', httpCode: 404 },
  HWID_DEVICE_NOT_FOUND: { code: 'A204', message: 'HWID device not found', httpCode: 404 },
} as const;

/** `HttpExceptionFilter`'s body for an error with a code. */
export function coded(error: { code: string; message: string; httpCode: number }, path: string, now: number): Response {
  return json({ timestamp: iso(now), path, message: error.message, errorCode: error.code }, error.httpCode);
}

/** nestjs-zod's `ZodValidationException` body: 400, `Validation failed` and the zod issues. */
export function validationFailed(issues: ReadonlyArray<{ code: string; path: (string | number)[]; message: string }>): Response {
  return json({ statusCode: 400, message: 'Validation failed', errors: issues }, 400);
}
