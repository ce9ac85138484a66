/**
 * `runtime.run(main)`: main runs as an actor on this thread; when it exits, every other actor is stopped
 * and `run` settles with main's result (or rejects with its crash). SIGINT/SIGTERM meanwhile trigger the
 * same orderly shutdown, after which the signal ends the process as it would have (see signals.ts; `run`
 * then never settles). A main that waits for ever with nothing left that could wake it (a deadlock) is
 * reported and shut down, instead of Node exiting silently with code 13.
 */
import { type Cell, DEAD } from '../actors/cell.js';
import { ActorExitedError, isErrorValue } from '../core/errors.js';
import type { Runtime } from './runtime.js';
import { endingBySignal } from './signals.js';

/** @internal */
export async function runMain(rt: Runtime, cell: Cell): Promise<unknown> {
  cell.observed = true;
  // The event loop ran dry while main still waits: no message can ever arrive (a deadlock). Say so,
  // and shut down in order, instead of letting Node exit silently with an unsettled promise.
  rt.answerProcessEvents(() => {
    if (cell.state === DEAD) return;
    rt.logger.warn(
      `${cell.ref} (main) is still waiting but nothing is left that could wake it (no actor can run, ` +
        'no timer or I/O is pending): shutting down',
      { actor: cell.ref },
    );
    void rt.shutdown();
  });
  await cell.exited();
  await rt.shutdown();
  // Stopped by a signal: once every runtime is down, the signal ends the process; nothing after run()
  // runs as if main had finished. Only if the process survives it (somebody else listens) does run settle.
  const signal = endingBySignal();
  if (signal !== undefined) await signal;
  if (cell.reason === 'normal') return cell.result;
  throw isErrorValue(cell.reason) ? cell.reason : new ActorExitedError(cell.reason, cell.ref, 'exited');
}
