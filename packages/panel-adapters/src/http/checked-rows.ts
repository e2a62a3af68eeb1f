/**
 * `z.array(item)` for the big lists panels answer (a 3x-ui inbound's clients and their traffic rows, S-UI's client
 * list: a thousand rows and more on every write), checked by hand first.
 *
 * zod builds a parse context, a result object and a copy of every row and field: on a list of 1 000 clients that
 * costs more CPU than `JSON.parse` of the body. Here each element goes through `check` first, a plain function that
 * returns the element's output (the element itself, or the copy zod would make) or `undefined` when it is not sure.
 * Only when one element is refused does zod parse the whole array, so a bad body fails with zod's own issues, paths
 * and messages, and an odd but valid one gets zod's own output. A `check` must never accept what `item` refuses, and
 * must return what `item` would (key order aside).
 */
import { z } from 'zod';

/** A list of `item`s, each checked by `check` before zod is asked (see the file header). */
export function checkedRows<S extends z.ZodType>(
  item: S,
  check: (value: unknown) => z.output<S> | undefined,
): z.ZodType<z.output<S>[], unknown> {
  const slow = z.array(item);
  return z.unknown().transform((value, ctx): z.output<S>[] => {
    if (Array.isArray(value)) {
      const out: z.output<S>[] = new Array(value.length);
      let i = 0;
      for (; i < value.length; i++) {
        const row = check(value[i]);
        if (row === undefined) break;
        out[i] = row;
      }
      if (i === value.length) return out;
    }
    const parsed = slow.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }) as unknown as z.ZodType<z.output<S>[], unknown>;
}

/** A JSON object (not an array, not null), as `z.object` takes. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What `z.number()` takes: a finite number. */
export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** What `z.number().int()` takes: a safe integer. */
export function isInt(value: unknown): value is number {
  return Number.isSafeInteger(value);
}

/** Absent, or taken by `test` (an optional field of a JSON object; JSON has no `undefined`). */
export function optional(value: unknown, test: (value: unknown) => boolean): boolean {
  return value === undefined || test(value);
}

/** What `z.string()` takes. */
export function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/** What `z.boolean()` takes. */
export function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}
