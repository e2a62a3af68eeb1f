import { LINK_VERSION_PATTERN } from '@panelkit/sdk/links';
import { z } from 'zod';

/**
 * What a confirmation to replace a link carries, the customer's link or a subscription's own (a form's or a JSON
 * body's `from`: the link version read when the buyer was asked; absent: replace whatever link is current). Anything
 * else is `forms.invalid`.
 */
export const LinkRotation = z.object({ from: z.string().regex(LINK_VERSION_PATTERN, { message: 'forms.invalid' }).optional() });
