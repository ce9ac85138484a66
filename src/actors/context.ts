/**
 * Which actor is running now. A synchronous handler sets `ctx.cell` around its call (no cost beyond a
 * write); code that awaits (function actors, `run()` loops, `async` handlers) is run inside an
 * AsyncLocalStorage, which is enabled on first use only: on Node 20 it taxes every promise in the process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Cell } from './cell.js';

/** @internal Per-thread execution context. */
export const ctx: {
  /** The cell whose synchronous handler is on the stack. */
  cell: Cell | undefined;
  /** The cell whose constructor is running (read by the Actor base constructor). */
  constructing: Cell | undefined;
  /** AsyncLocalStorage has been used (so bursts must be scheduled outside any actor's context). */
  alsOn: boolean;
} = { cell: undefined, constructing: undefined, alsOn: false };

/** @internal */
export const als = new AsyncLocalStorage<Cell>();

/** @internal The current actor's cell, or undefined outside any actor. */
export function currentCell(): Cell | undefined {
  return ctx.cell ?? (ctx.alsOn ? als.getStore() : undefined);
}

/** @internal Runs `fn` as `cell` across its awaits. */
export function runAs<R>(cell: Cell, fn: () => R): R {
  ctx.alsOn = true;
  return als.run(cell, fn);
}

/**
 * @internal Runs `fn` outside any actor's async context. Not `als.exit()`: on Node 20 it disables and
 * re-enables the storage, which switches promise hooks off and on for the whole process (costly).
 */
export function outsideActors(fn: () => void): void {
  als.run(undefined as unknown as Cell, fn);
}
