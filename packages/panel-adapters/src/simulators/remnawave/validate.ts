/**
 * Request validation as Remnawave's `ZodValidationPipe` does it: the create and update bodies and the
 * stream query, with the panel's own messages (`CreateUserCommand`, `UpdateUserCommand`,
 * `GetUsersStreamCommand`). `expireAt` "in the past" is judged by the simulator's clock.
 */
import { z } from 'zod';

const STATUSES = ['ACTIVE', 'DISABLED', 'LIMITED', 'EXPIRED'] as const;
const RESET_PERIODS = ['NO_RESET', 'DAY', 'WEEK', 'MONTH', 'MONTH_ROLLING'] as const;
const instant = () => z.iso.datetime({ offset: true, local: true });
const tag = () =>
  z
    .string()
    .regex(/^[A-Z0-9_]+$/, 'Tag can only contain uppercase letters, numbers, underscores')
    .max(16, 'Tag must be less than 16 characters')
    .nullable();

export const CreateUserBody = z.object({
  username: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'Username can only contain letters, numbers, underscores and dashes')
    .max(36, 'Username must be less than 36 characters')
    .min(3, 'Username must be at least 3 characters'),
  status: z.enum(STATUSES).optional(),
  shortUuid: z.string().optional(),
  trojanPassword: z
    .string()
    .min(8, 'Trojan password must be at least 8 characters')
    .max(32, 'Trojan password must be less than 32 characters')
    .optional(),
  vlessUuid: z.guid('Invalid Vless UUID format').optional(),
  ssPassword: z
    .string()
    .min(8, 'SS password must be at least 8 characters')
    .max(32, 'SS password must be less than 32 characters')
    .optional(),
  trafficLimitBytes: z.number().min(0, 'Traffic limit must be greater than 0').optional(),
  trafficLimitStrategy: z.enum(RESET_PERIODS).optional(),
  expireAt: instant(),
  description: z.string().optional(),
  tag: tag().optional(),
  telegramId: z.number().nullish(),
  email: z.email().nullish(),
  hwidDeviceLimit: z.int().min(0).optional(),
  activeInternalSquads: z.array(z.uuid()).optional(),
  externalSquadUuid: z.uuid().nullable().optional(),
});
export type CreateUserInput = z.infer<typeof CreateUserBody>;

/** `UpdateUserCommand`: by `username` or `id`; `status` only ACTIVE or DISABLED; `expireAt` not in the past. */
export function updateUserBody(now: number) {
  return z
    .object({
      username: z.string().optional(),
      id: z.number().optional(),
      status: z.enum(['ACTIVE', 'DISABLED']).optional(),
      trafficLimitBytes: z.number().min(0).optional(),
      trafficLimitStrategy: z.enum(RESET_PERIODS).optional(),
      expireAt: instant()
        .refine((value) => Date.parse(value) > now, { error: 'Expiration date cannot be in the past' })
        .optional(),
      description: z.string().nullable().optional(),
      tag: tag().optional(),
      telegramId: z.number().nullish(),
      email: z.email().nullish(),
      hwidDeviceLimit: z.int().min(0).nullish(),
      activeInternalSquads: z.array(z.uuid()).optional(),
      externalSquadUuid: z.uuid().nullable().optional(),
    })
    .refine((body) => body.username ?? body.id, { error: 'At least one of username, id must be provided' });
}
export type UpdateUserInput = z.infer<ReturnType<typeof updateUserBody>>;

export const StreamQuery = z.object({
  cursor: z.coerce.number().optional(),
  size: z.coerce.number().min(1).max(1000, 'Number of results to return, no more than 1000').optional().default(250),
});

/** `numberParamSchema`: a path id that must be a number. */
export const NumberParam = z.coerce.number().int();

/** zod issues as nestjs-zod puts them in the body. */
export function issuesOf(error: z.ZodError): Array<{ code: string; path: (string | number)[]; message: string }> {
  return error.issues.map((issue) => ({
    code: issue.code,
    path: issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part)),
    message: issue.message,
  }));
}

/** `DeleteUserHwidDeviceCommand.RequestBodySchema`. */
export const DeleteHwidDeviceBody = z.object({ userId: z.number(), hwid: z.string() });

/** `DeleteAllUserHwidDevicesCommand.RequestBodySchema`. */
export const DeleteAllHwidDevicesBody = z.object({ userId: z.number() });

/** `CreateUserHwidDeviceCommand.RequestBodySchema`. */
export const CreateHwidDeviceBody = z.object({
  hwid: z.string().regex(/^[a-zA-Z0-9=-]{10,64}$/),
  userId: z.number(),
  platform: z.string().optional(),
  osVersion: z.string().optional(),
  deviceModel: z.string().optional(),
  userAgent: z.string().optional(),
  requestIp: z.string().optional(),
});
