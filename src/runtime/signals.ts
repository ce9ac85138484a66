/**
 * The process events a runtime answers while it runs `run(main)` or is the default runtime of a
 * `start…Controller()` helper: SIGINT, SIGTERM and `beforeExit`. One listener per event for the whole
 * process, shared by every such runtime (two runtimes never fight over a signal), installed while at least
 * one of them runs and removed once the last has shut down (no listener is left behind).
 *
 * - A first SIGINT or SIGTERM shuts every such runtime down in order (`runtime.shutdown()`). Once the last
 *   of them has shut down, the listeners are removed and the signal is raised again, so that the process
 *   ends as the signal would have ended it without Parley (killed by it: a shell shows 130 or 143).
 * - A second SIGINT or SIGTERM (either one) before that forces the exit at once: each runtime logs what it
 *   was still stopping, every recording is flushed to disk synchronously, and the process ends by that
 *   second signal (or, should it survive it, with exit code 128 + the signal's number).
 * - Parley acts on a signal only when nothing else listens to it. Node's own rule is that a program that
 *   listens to a signal has taken it over (Node's default exit no longer happens); Parley's orderly
 *   shutdown stands in for that default exit and steps aside the same way: such a program decides what the
 *   signal does, and calls `runtime.shutdown()` itself if it wants the actors stopped.
 * - `beforeExit` (the event loop ran dry): each runtime's idle action (the shutdown of an idle default
 *   runtime, or `run()`'s report of a main that can never be woken).
 *
 * Signals reach only the main thread, so only a runtime there listens to them.
 */
import { constants } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { Runtime } from './runtime.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type Handled = (typeof SIGNALS)[number];

/** Marks Parley's listeners (those of every copy of Parley loaded in the process), to tell them apart. */
const MARK = Symbol.for('parley.processListener');

/** The runtimes that answer process events now, with their idle action. */
const members = new Map<Runtime, (() => void) | undefined>();
/** The signal being answered by an orderly shutdown, if one is, and what settles if the process survives. */
let signalled: Handled | undefined;
let survived: { promise: Promise<void>; resolve: () => void } | undefined;
let listening = false;

const onSignal = Object.assign((sig: NodeJS.Signals) => answer(sig as Handled), { [MARK]: true });
const onIdle = Object.assign(
  () => {
    for (const idle of [...members.values()]) idle?.();
  },
  { [MARK]: true },
);

/**
 * @internal `rt` answers SIGINT, SIGTERM (on the main thread) and beforeExit until it has shut down (then
 * `leave` is called). Joining while a signal is being answered shuts `rt` down too: the process is ending.
 */
export function join(rt: Runtime, idle?: () => void): void {
  members.set(rt, idle);
  if (!listening) {
    listening = true;
    if (isMainThread) for (const sig of SIGNALS) process.on(sig, onSignal);
    process.on('beforeExit', onIdle);
  }
  if (signalled !== undefined) stop(rt);
}

/**
 * @internal `rt` has shut down. When it was the last runtime answering process events, the listeners go;
 * and if a signal started the shutdown, the signal now ends the process.
 */
export function leave(rt: Runtime): void {
  if (!members.delete(rt) || members.size > 0) return;
  unlisten();
  const sig = signalled;
  const done = survived;
  signalled = undefined;
  survived = undefined;
  if (sig === undefined) return;
  raise(sig, false);
  done?.resolve();
}

/**
 * @internal While a signal is being answered (the process ends once every runtime has shut down): a
 * promise that settles only if the process survives the signal (somebody else listens to it by then).
 */
export function endingBySignal(): Promise<void> | undefined {
  return survived?.promise;
}

function answer(sig: Handled): void {
  // Somebody else listens to this signal: it is theirs (see the module comment).
  if (process.listeners(sig).some((l) => !(MARK in l))) return;
  if (signalled !== undefined) {
    force(sig);
    return;
  }
  signalled = sig;
  let resolve!: () => void;
  survived = { promise: new Promise<void>((r) => (resolve = r)), resolve };
  for (const rt of [...members.keys()]) stop(rt);
}

function stop(rt: Runtime): void {
  rt.shutdown().catch((err: unknown) => {
    rt.logger.error(`shutdown failed: ${err}`, { error: err });
    leave(rt);
  });
}

/** A second signal during the shutdown: report, flush, end now. */
function force(sig: Handled): void {
  const code = 128 + constants.signals[sig];
  for (const rt of members.keys()) {
    const pending = rt.stopper.pending();
    rt.logger.error(
      `${sig} during shutdown (after ${signalled}): exiting at once with ${sig} (code ${code}), ` +
        (pending === ''
          ? 'no actor was left to stop (the runtime was releasing its threads and timers)'
          : `without waiting for ${pending}`),
      { signal: sig },
    );
  }
  for (const rt of members.keys()) {
    try {
      rt.recording.close();
    } catch {
      // Exiting anyway: a recording that cannot be flushed must not keep the process alive.
    }
  }
  members.clear();
  signalled = undefined;
  survived = undefined;
  unlisten();
  raise(sig, true);
}

/**
 * Ends the process by `sig`, with no Parley listener left: the signal's default action (killed by it),
 * unless somebody else listens to it now; then, when `forced`, exit code 128 + its number.
 */
function raise(sig: Handled, forced: boolean): void {
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  if (forced) process.exit(128 + constants.signals[sig]);
}

function unlisten(): void {
  if (!listening) return;
  listening = false;
  if (isMainThread) for (const sig of SIGNALS) process.off(sig, onSignal);
  process.off('beforeExit', onIdle);
}
