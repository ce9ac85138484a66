/**
 * Calls in flight. A call puts a one-shot `ReplyRef` in the sender slot; the reply is matched by call id, so
 * a late reply (after a timeout) finds nothing and is dropped, never delivered to a later call. Timeouts
 * share the runtime's one deadline timer. If the callee exits, its pending callers are rejected at once
 * with ActorExitedError (like OTP's gen_server:call, which monitors the callee).
 */

import { ActorExitedError, BadReplyError, CallTimeoutError, ParleyError } from '../core/errors.js';
import { UNNAMED } from '../core/inspect.js';
import type { ExitReason } from '../core/message.js';
import type { ActorRef } from '../core/ref.js';
import { CallTable } from './call-table.js';
import type { Cell } from './cell.js';
import { ERROR_REPLY } from './cell.js';
import type { Deadline, Deadlines } from './deadlines.js';

class PendingCall implements Deadline {
  at = 0;
  slot = -1;
  constructor(
    readonly calls: Calls,
    readonly id: number,
    readonly tag: string,
    readonly to: ActorRef,
    readonly cell: Cell | undefined,
    readonly timeout: number,
    readonly resolve: (value: unknown) => void,
    readonly reject: (err: unknown) => void,
  ) {}

  fire(): void {
    this.calls.timedOut(this);
  }
}

/** @internal */
export class Calls {
  private readonly pending = new CallTable<PendingCall>();
  private nextId = 1;

  constructor(private readonly deadlines: Deadlines) {}

  get size(): number {
    return this.pending.size;
  }

  /** Registers a call; returns its id and promise. `cell` is the callee when it lives on this thread. */
  open(to: ActorRef, cell: Cell | undefined, tag: string, timeout: number): [number, Promise<unknown>] {
    const id = this.nextId++;
    let p!: PendingCall;
    const promise = new Promise<unknown>((resolve, reject) => {
      p = new PendingCall(this, id, tag, to, cell, timeout, resolve, reject);
    });
    this.pending.add(p);
    this.deadlines.add(p, timeout);
    if (cell !== undefined) cell.callsIn++;
    return [id, promise];
  }

  /** Forgets a call whose request could not be sent (the error is thrown to the caller instead). */
  abandon(id: number): void {
    const p = this.pending.get(id);
    if (p !== undefined) this.forget(p);
  }

  /** A reply arrived; false if the call is no longer pending (late reply: dropped). */
  complete(id: number, tag: string, args: unknown[]): boolean {
    const p = this.pending.get(id);
    if (p === undefined) return false;
    this.forget(p);
    if (tag === 'reply') p.resolve(args[0]);
    else if (tag === ERROR_REPLY) p.reject(named(args[0], p.to));
    else {
      p.reject(
        new BadReplyError(
          `call '${p.tag}' to ${p.to} was answered with tag '${tag}'; answer a call with ` +
            "sender.send('reply', me(), value)",
          { actor: p.to },
        ),
      );
    }
    return true;
  }

  /** The callee `cell` exited: reject everyone still waiting on it. */
  calleeExited(cell: Cell, reason: ExitReason): void {
    for (const p of this.pending.values()) {
      if (p.cell === cell && this.pending.get(p.id) === p) {
        this.forget(p);
        p.reject(new ActorExitedError(reason, p.to));
      }
    }
  }

  /** A thread was lost: calls to its actors fail with ActorExitedError('noconnection'). */
  threadLost(thread: number): void {
    for (const p of this.pending.values()) {
      if (p.to.thread === thread && this.pending.get(p.id) === p) {
        this.forget(p);
        p.reject(new ActorExitedError('noconnection', p.to));
      }
    }
  }

  timedOut(p: PendingCall): void {
    if (!this.pending.delete(p)) return;
    if (p.cell !== undefined) p.cell.callsIn--;
    p.reject(new CallTimeoutError(p.tag, p.timeout, p.to));
  }

  private forget(p: PendingCall): void {
    this.pending.delete(p);
    this.deadlines.cancel(p);
    if (p.cell !== undefined) p.cell.callsIn--;
  }
}

/**
 * An error the callee's thread made after the callee had died there names it by id only (`<actor#42@1>`):
 * the caller knows its name, so the error gets it (`<Account#42@1>`). Error replies only; never throws.
 */
function named(err: unknown, to: ActorRef): unknown {
  try {
    if (!(err instanceof ParleyError)) return err;
    const was = err.actor;
    if (was === undefined || was.name !== UNNAMED || was.id !== to.id || to.name === UNNAMED) return err;
    const from = String(was);
    const into = String(to);
    Object.defineProperty(err, 'actor', { value: to, writable: true, configurable: true });
    err.message = err.message.replace(from, into);
    if (typeof err.stack === 'string') err.stack = err.stack.replace(from, into);
  } catch {
    // an error whose fields cannot be rewritten keeps its text
  }
  return err;
}
