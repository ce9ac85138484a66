/**
 * Addresses. An `ActorRef` names one actor wherever it runs: it is plain data on the wire (`id`, `thread`,
 * `name`) and, once revived on a thread, is bound to that thread's runtime so `ref.send(...)` works there.
 * A `ReplyRef` is the one-shot reply address a call puts in the sender slot (OTP's `From`).
 */
import type { Cell } from '../actors/cell.js';
import { INSPECT, idText, refText } from './inspect.js';
import type { Kwargs } from './message.js';
import { argsAfter, NO_KWARGS, sharedIfEmpty } from './message.js';
import { checkArgs, checkKwargs, checkSender, checkTag } from './validate.js';

/** @internal The delivery path a ref is bound to (the runtime of the thread it lives on). */
export interface Delivery {
  deliver(to: ActorRef, tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void;
  deliverReply(to: ReplyRef, tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void;
  call(to: ActorRef, tag: string, args: unknown[], kwargs: Kwargs, timeout: number | undefined): Promise<any>;
  /** How a place prints (another node's place: its node name), if places need names. */
  placeText?: ((place: number) => string) | undefined;
}

/** @internal Symbol-keyed fields are not copied by structured clone, so refs stay plain data on the wire. */
export const CELL: unique symbol = Symbol('parley.cell');
/** @internal */
export const BOUND: unique symbol = Symbol('parley.delivery');

/** Anything a message can be sent to with PARLEY's raw `send(tag, sender, ...args)`. */
export interface Address {
  /** Delivers `[tag, sender, args, {}]`; never throws for a dead actor (at-most-once delivery). */
  send(tag: string, sender: Address | null, ...args: unknown[]): void;
}

/**
 * A serializable, location-transparent address of one actor. Compare refs with `a.equals(b)` (two refs to
 * the same actor may be different objects after travelling between threads).
 */
export class ActorRef implements Address {
  /** @internal Set for an actor living on this thread: delivery then needs no lookup. */
  [CELL]: Cell | undefined;
  /** @internal */
  [BOUND]: Delivery;

  /** @internal Refs are made by the runtime: spawn, me(), a message's sender. */
  constructor(
    /** Unique within the runtime, across all its threads. */
    readonly id: number,
    /** The thread the actor runs on (0: the main thread). */
    readonly thread: number,
    /** The actor's class or function name, for logs and recordings. */
    readonly name: string,
    delivery: Delivery,
    cell?: Cell,
  ) {
    this[BOUND] = delivery;
    this[CELL] = cell;
  }

  /**
   * PARLEY's raw send: delivers `[tag, sender, args, {}]`. Never throws for a dead actor (at-most-once);
   * throws InvalidArgumentError for a tag that is not a string or a sender that is neither a ref nor null.
   */
  send(tag: string, sender: Address | null, ...args: unknown[]): void {
    checkTag(tag, 'ref.send(tag, sender, ...args)');
    checkSender(sender, 'ref.send(tag, sender, ...args)');
    this[BOUND].deliver(this, tag, sender, sharedIfEmpty(args), NO_KWARGS);
  }

  /** Sends with keyword arguments: delivers `[tag, sender, args, kwargs]` (`args` an array, `kwargs` a plain object). */
  sendWith(tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    checkMessage(tag, sender, args, kwargs, 'ref.sendWith(tag, sender, args, kwargs)');
    this[BOUND].deliver(this, tag, sender, args, kwargs);
  }

  /**
   * Fire-and-forget: delivers `[tag, null, args, {}]`. With no sender, the handler's result goes nowhere (a
   * one-way message, OTP's `gen_server:cast`). Never throws for a dead actor; throws InvalidArgumentError
   * for a tag that is not a string.
   */
  cast(tag: string, ...args: unknown[]): void;
  cast(tag: string): void {
    checkTag(tag, 'ref.cast(tag, ...args)');
    // `arguments`, not a rest parameter: an argument-less cast then allocates nothing at all.
    // biome-ignore lint/complexity/noArguments: the hot path's allocation-free form
    this.sendWith(tag, null, argsAfter(arguments, 1), NO_KWARGS);
  }

  /** Do both refs name the same actor? */
  equals(other: unknown): boolean {
    return other instanceof ActorRef && other.id === this.id && !(other instanceof ReplyRef);
  }

  /**
   * `<Account#42>`: the name, the id (`2.42` for an id thread 2 handed out) and, off the main thread, the
   * thread it runs on (`<Account#42@1>`). The same text in logs, error messages and `console.log(ref)`.
   */
  toString(): string {
    return refText(this.name, this.id, this.thread, this[BOUND]?.placeText);
  }

  /** The plain-data form, for `JSON.stringify` and recordings: `{ actor: id, name, thread }`. */
  toJSON(): { actor: number; name: string; thread: number } {
    return { actor: this.id, name: this.name, thread: this.thread };
  }
}

/**
 * A one-shot reply address. `sender.send('reply', me(), value)` resolves the caller's promise with
 * `value`; any later reply, or one after the call timed out, is dropped. Its `id` is the caller's.
 */
export class ReplyRef extends ActorRef {
  /** @internal Reply refs are made by the runtime for each call. */
  constructor(
    id: number,
    thread: number,
    /** Correlates the reply with the call, like the `Ref` in OTP's `From = {Pid, Ref}`. */
    readonly callId: number,
    delivery: Delivery,
  ) {
    super(id, thread, 'reply', delivery, undefined);
  }

  /**
   * Answers the call: `send('reply', me(), value)` resolves the caller's promise with `value`; another tag
   * rejects it with BadReplyError. Throws InvalidArgumentError for a tag that is not a string or a bad
   * sender.
   */
  override send(tag: string, sender: Address | null, ...args: unknown[]): void {
    checkTag(tag, 'sender.send(tag, sender, ...args)');
    checkSender(sender, 'sender.send(tag, sender, ...args)');
    this[BOUND].deliverReply(this, tag, sender, sharedIfEmpty(args), NO_KWARGS);
  }

  override sendWith(tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    checkMessage(tag, sender, args, kwargs, 'sender.sendWith(tag, sender, args, kwargs)');
    this[BOUND].deliverReply(this, tag, sender, args, kwargs);
  }

  /** Are both reply refs the reply address of the same call? */
  override equals(other: unknown): boolean {
    return other instanceof ReplyRef && other.callId === this.callId && other.thread === this.thread;
  }

  /** `<reply#7 to #42@1>`: call 7 of actor 42 on thread 1 (`to top level` for a call from outside any actor). */
  override toString(): string {
    const place = this[BOUND]?.placeText;
    const caller = this.id === 0 ? 'top level' : `#${idText(this.id, place)}`;
    const at = place !== undefined ? `@${place(this.thread)}` : this.thread === 0 ? '' : `@${this.thread}`;
    return `<reply#${this.callId} to ${caller}${at}>`;
  }

  /** The plain-data form: `{ actor: the caller's id, name: 'reply', thread, call: callId }`. */
  override toJSON(): { actor: number; name: string; thread: number; call: number } {
    return { actor: this.id, name: 'reply', thread: this.thread, call: this.callId };
  }
}

// `console.log(ref)` and `util.inspect(ref)` print `<Account#42@1>`, never the cell or runtime behind it.
// Defined on the prototype, not in the class: no per-ref cost, and no symbol-keyed member in the types.
Object.defineProperty(ActorRef.prototype, INSPECT, {
  value(this: ActorRef, _depth: number, options: { stylize?: (text: string, style: string) => string }) {
    const text = String(this);
    return typeof options?.stylize === 'function' ? options.stylize(text, 'special') : text;
  },
  writable: true,
  configurable: true,
});

/** The checks of a message with kwargs; `kwargs` is nearly always the shared NO_KWARGS (no prototype lookup). */
function checkMessage(tag: unknown, sender: unknown, args: unknown, kwargs: unknown, fn: string): void {
  checkTag(tag, fn);
  checkSender(sender, fn);
  checkArgs(args, fn);
  if (kwargs !== NO_KWARGS) checkKwargs(kwargs, fn);
}
