/**
 * The parts of Remnawave's answers the adapter reads (API v3: numeric user ids, `GET /api/users/stream`),
 * written from `libs/contract` of `remnawave/backend`. Every answer is wrapped in `{ response: … }`.
 * Unknown fields are ignored, so newer panels that add fields still parse.
 */
import { z } from 'zod';

/** `USERS_STATUS`: the panel's own job sets `LIMITED` and `EXPIRED`; an admin sets `ACTIVE` and `DISABLED`. */
export const RemnawaveStatusSchema = z.enum(['ACTIVE', 'DISABLED', 'LIMITED', 'EXPIRED']);
export type RemnawaveStatus = z.infer<typeof RemnawaveStatusSchema>;

const Instant = z.iso.datetime({ offset: true });

/** `ExtendedUsersSchema`: a user with its squads, traffic and subscription URL. */
export const RemnawaveUserSchema = z.object({
  id: z.number().int(),
  shortUuid: z.string(),
  username: z.string(),
  status: RemnawaveStatusSchema,
  /** Bytes; 0 is unlimited. */
  trafficLimitBytes: z.number().nonnegative(),
  trafficLimitStrategy: z.string(),
  expireAt: Instant,
  hwidDeviceLimit: z.number().int().nullable(),
  vlessUuid: z.string(),
  subscriptionUrl: z.string(),
  activeInternalSquads: z.array(z.object({ uuid: z.string(), name: z.string() })),
  userTraffic: z.object({
    usedTrafficBytes: z.number().nonnegative(),
    onlineAt: Instant.nullable(),
  }),
});
export type RemnawaveUser = z.infer<typeof RemnawaveUserSchema>;

function wrapped<S extends z.ZodType>(schema: S) {
  return z.object({ response: schema });
}

export const UserEnvelopeSchema = wrapped(RemnawaveUserSchema);

/** `GET /api/users/stream`: keyset pages by ascending id. */
export const UsersStreamSchema = wrapped(
  z.object({ users: z.array(RemnawaveUserSchema), nextCursor: z.string().nullable(), hasMore: z.boolean() }),
);

/** `GET /api/internal-squads`. */
export const InternalSquadsSchema = wrapped(
  z.object({
    total: z.number(),
    internalSquads: z.array(
      z.object({
        uuid: z.string(),
        name: z.string(),
        info: z.object({ membersCount: z.number(), inboundsCount: z.number() }),
        inbounds: z.array(z.object({ type: z.string() })),
      }),
    ),
  }),
);

/** `GET /api/subscriptions/by-username/{username}`: the rendered links, the URL, and the user's status. */
export const SubscriptionInfoSchema = wrapped(
  z.object({
    links: z.array(z.string()),
    subscriptionUrl: z.string(),
    user: z.looseObject({ userStatus: z.string() }).optional(),
  }),
);

/** `GET /api/system/metadata`. */
export const MetadataSchema = wrapped(z.object({ version: z.string() }));

/** `HwidUserDeviceSchema`: one device the panel registered for a user on its subscription link. */
export const HwidDeviceSchema = z.object({
  hwid: z.string(),
  userId: z.number(),
  platform: z.string().nullable(),
  osVersion: z.string().nullable(),
  deviceModel: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: Instant,
  updatedAt: Instant,
});
/** One device Remnawave registered for a user, as `/api/hwid/devices/{userId}` lists it. */
export type RemnawaveHwidDevice = z.infer<typeof HwidDeviceSchema>;

/** The answer of every `/api/hwid/devices…` route for one user: its devices (after the change, for a delete). */
export const HwidDevicesSchema = wrapped(z.object({ total: z.number(), devices: z.array(HwidDeviceSchema) }));
