/**
 * @internal `runtime.pool()` starts a pool, which is a supervisor: the pool module (`src/routing/pool.ts`, a
 * layer above) sets `start` as it loads, as the supervision layer sets its hooks (see README "Architecture").
 */
import type { Runtime } from './runtime.js';

/** @internal */
export const poolStarter: {
  start?: (rt: Runtime, target: unknown, options: never, args: unknown[]) => Promise<unknown>;
} = {};
