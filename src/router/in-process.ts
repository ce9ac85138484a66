/**
 * The in-process transport: signals for actors of the router's own place. It applies them at once, in the
 * order they are routed (FIFO per pair holds trivially, nothing is ever lost), and, when the controller
 * copies messages (`TaskletController({ copyMessages: true })`), copies each one first exactly as a thread
 * boundary would, so a program's placement bugs show on one thread too. Exit reasons that could not cross
 * a boundary are reduced here as they would be there.
 */
import type { Cell } from '../actors/cell.js';
import { ERROR_REPLY } from '../actors/cell.js';
import type { ExitReason, Kwargs } from '../core/message.js';
import { NO_KWARGS } from '../core/message.js';
import type { ActorRef, Address } from '../core/ref.js';
import { copyMessage, reduceReason } from '../wire/codec.js';
import { type ApplyHost, apply, applyMessage, applyReply } from './apply.js';
import type { AnswerOf, Request, Signal } from './signal.js';
import type { Transport, TransportSink } from './transport.js';

type Revive = (ref: ActorRef) => ActorRef;

/** @internal */
export class InProcessTransport implements Transport {
  constructor(
    private readonly place: number,
    private readonly sink: TransportSink & ApplyHost,
    private readonly copy: boolean,
    private readonly revive: Revive,
  ) {}

  reaches(place: number): boolean {
    return place === this.place;
  }

  post(_place: number, s: Signal): void {
    apply(this.sink, this.copy ? copied(s, this.revive) : s);
  }

  /** What `post` applies: `s` itself, or its copy (throws NotCloneableError for a message that cannot be copied). */
  copyOf(s: Signal): Signal {
    return this.copy ? copied(s, this.revive) : s;
  }

  /** Applies a signal that `copyOf` made (`post` is `deliver(copyOf(s))`). */
  deliver(s: Signal): void {
    apply(this.sink, s);
  }

  request<R extends Request>(_place: number, r: R): Promise<AnswerOf<R>> {
    return this.sink.answer(r);
  }

  close(): void {}

  /** `post` of a message, field-wise (the hot path: no signal object). `cell`: the target's, if known. */
  message(
    cell: Cell | undefined,
    to: ActorRef,
    tag: string,
    sender: Address | null,
    args: unknown[],
    kwargs: Kwargs,
  ): void {
    if (this.copy) {
      const m = copyMessage([tag, sender, args, kwargs], this.revive);
      tag = m[0];
      sender = m[1];
      args = m[2];
      kwargs = m[3];
    }
    applyMessage(this.sink, cell, to, tag, sender, args, kwargs);
  }

  /** `post` of a reply, field-wise. */
  reply(callId: number, tag: string, args: unknown[]): void {
    if (this.copy) args = copyMessage([tag, null, args, NO_KWARGS], this.revive)[2];
    applyReply(this.sink, callId, tag, args);
  }
}

/** A copy of `s` as a thread boundary would make it (reasons that cannot cross are reduced). */
function copied(s: Signal, revive: Revive): Signal {
  switch (s.kind) {
    case 'msg':
    case 'reply': {
      const args = s.tag === ERROR_REPLY ? [copyReason(s.args[0], revive)] : s.args;
      const m = copyMessage([s.tag, s.sender, args, s.kwargs], revive);
      return { ...s, sender: m[1], args: m[2], kwargs: m[3] };
    }
    case 'exit':
    case 'down': {
      const r = s.reason;
      if (r === null || typeof r === 'string' || typeof r === 'number' || typeof r === 'boolean') return s;
      return { ...s, reason: copyReason(r, revive) };
    }
    default:
      return s;
  }
}

function copyReason(reason: ExitReason, revive: Revive): ExitReason {
  try {
    return copyMessage(['', null, [reason], NO_KWARGS], revive)[2][0];
  } catch {
    return copyMessage(['', null, [reduceReason(reason)], NO_KWARGS], revive)[2][0];
  }
}
