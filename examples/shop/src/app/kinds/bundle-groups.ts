import type { Subscription } from '@panelkit/sdk';

/** Subscriptions sold together (one `bundleId`: a plan's kinds, or a built plan's locations), or one sold alone. */
export interface PartGroup<S extends Pick<Subscription, 'bundleId'>> {
  /** The shared `bundleId`; `null` for a subscription sold alone. */
  readonly bundleId: string | null;
  readonly parts: readonly S[];
}

/**
 * `subs` grouped by bundle, in the order each group's first part comes: the parts of one bundle together under one
 * heading (the plan's name), a subscription sold alone as a group of one. A bundle whose other parts are on another
 * page of a list is a group of the parts on this one.
 */
export function groupByBundle<S extends Pick<Subscription, 'bundleId'>>(subs: readonly S[]): PartGroup<S>[] {
  const groups: { bundleId: string | null; parts: S[] }[] = [];
  const byBundle = new Map<string, { bundleId: string | null; parts: S[] }>();
  for (const sub of subs) {
    const open = sub.bundleId === null ? undefined : byBundle.get(sub.bundleId);
    if (open !== undefined) {
      open.parts.push(sub);
      continue;
    }
    const group = { bundleId: sub.bundleId, parts: [sub] };
    groups.push(group);
    if (sub.bundleId !== null) byBundle.set(sub.bundleId, group);
  }
  return groups;
}
