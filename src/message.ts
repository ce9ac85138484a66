/**
 * The message format. A message is a 4-tuple `[tag, sender, args, kwargs]`; runtime notices use it too:
 * `['EXIT', from, [reason], {}]` and `['DOWN', from, [reason, monitorRef], {}]`.
 */
import type { Address } from './ref.js';

/** Keyword arguments of a message. */
export type Kwargs = Record<string, unknown>;

/** `[tag, sender, args, kwargs]`: the conventional shape of every Parley message. */
export type Message = [tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs];

/**
 * Why an actor exited: `'normal'`, `'shutdown'`, `'kill'` (only as a signal), `'killed'`, `'noproc'`,
 * `'noconnection'`, an `Error`, or any other value an actor chose.
 */
export type ExitReason =
  | 'normal'
  | 'shutdown'
  | 'kill'
  | 'killed'
  | 'noproc'
  | 'noconnection'
  | Error
  | { shutdown: unknown }
  | (string & {})
  | unknown;

/** The kwargs of a message that has none. Frozen and shared, so it costs no allocation. */
export const NO_KWARGS: Kwargs = Object.freeze({}) as Kwargs;

/** Is `reason` a "clean" stop for transient children: normal, shutdown, or `{ shutdown: detail }`? */
export function isCleanStop(reason: unknown): boolean {
  return (
    reason === 'normal' ||
    reason === 'shutdown' ||
    (typeof reason === 'object' && reason !== null && !(reason instanceof Error) && 'shutdown' in reason)
  );
}
