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
  | {
      /** A clean stop with a detail (OTP's `{shutdown, Detail}`): a transient child is not restarted. */
      shutdown: unknown;
    }
  | (string & {})
  | unknown;

/** The kwargs of a message that has none. Frozen and shared, so it costs no allocation. */
export const NO_KWARGS: Kwargs = Object.freeze({}) as Kwargs;

/**
 * @internal The args of a message sent with none. Shared, so a queued argument-less message owns no object;
 * a tuple handed to user code (`recv()`, `this.message`) gets a fresh `[]` instead (see `ownArgs`).
 */
export const NO_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[];

/** @internal `args`, or `NO_ARGS` if it is empty. */
export function sharedIfEmpty(args: unknown[]): unknown[] {
  return args.length === 0 ? NO_ARGS : args;
}

/** @internal `list[from..]` as a new array, or `NO_ARGS` if that is empty (for `arguments`-based senders). */
export function argsAfter(list: IArguments, from: number): unknown[] {
  const n = list.length - from;
  if (n <= 0) return NO_ARGS;
  const args = new Array(n);
  for (let i = 0; i < n; i++) args[i] = list[from + i];
  return args;
}

/** @internal `args` as user code may own it (a fresh array for the shared `NO_ARGS`). */
export function ownArgs(args: unknown[]): unknown[] {
  return args === NO_ARGS ? [] : args;
}

/**
 * Is `reason` a "clean" stop for transient children: normal, shutdown, or `{ shutdown: detail }`? Never
 * throws (a Proxy whose traps throw is not a clean stop).
 */
export function isCleanStop(reason: unknown): boolean {
  if (reason === 'normal' || reason === 'shutdown') return true;
  if (typeof reason !== 'object' || reason === null) return false;
  try {
    return !(reason instanceof Error) && 'shutdown' in reason;
  } catch {
    return false;
  }
}
