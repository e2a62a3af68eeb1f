import { describe } from 'vitest';
import { ENTITLEMENT_KINDS } from '../../../domain/entitlement.js';
import type { PanelSuiteEnv } from '../support.js';
import { badInputCases } from './bad-input.js';
import { createCases } from './create.js';
import { idempotencyCases } from './idempotency.js';
import { isWireGuardLike, kindEnv } from './kind-env.js';
import { lifecycleCases } from './lifecycle.js';
import { poolCases } from './pool.js';

/**
 * The per-kind cases (design §10) for every kind besides `xray`: each runs where the adapter declares the kind
 * (`kindsOf(capabilities)`), on the factory's `targets[kind]`, and fails where the kind is declared without a target.
 * An Xray-only adapter skips them all, so it runs the rest of the suite exactly as before.
 */
export function kindsSuite(env: PanelSuiteEnv): void {
  for (const kind of ENTITLEMENT_KINDS) {
    if (kind === 'xray') continue;
    describe(`kind: ${kind}`, () => {
      const k = kindEnv(env, kind);
      createCases(k);
      idempotencyCases(k);
      if (isWireGuardLike(kind)) poolCases(k);
      badInputCases(k);
      lifecycleCases(k);
    });
  }
}
