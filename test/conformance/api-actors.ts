/**
 * Actors for the tests of casts and one-way replies, awaiting start, and timers. Top level of a
 * side-effect-free module, so worker threads can import them.
 */
import { Actor, type ActorRef, functionActor, handles, sendAfter } from '../../src/index.js';

/** Records each 'note' with whether it had a sender; counts; answers what it saw. */
export class Notes extends Actor {
  private readonly notes: unknown[] = [];
  private n = 0;

  @handles('note')
  note(...args: unknown[]): void {
    this.notes.push({ args, senderIsNull: this.sender === null });
  }

  @handles('incr')
  incr(by = 1): number {
    return (this.n += by);
  }

  @handles('count')
  count(): number {
    return this.n;
  }

  @handles('notes')
  seen(): unknown[] {
    return this.notes;
  }
}

/** Answers 'ping' with nothing (undefined): ping-pong style, one-way. */
export class Ponger extends Actor {
  private pings = 0;

  @handles('ping')
  ping(): void {
    this.pings++;
  }

  @handles('pings')
  count(): number {
    return this.pings;
  }
}

/** Pings `to` with itself as sender `n` times; has no 'reply' handler, so each answer is unsolicited. */
export class PingWithSender extends Actor {
  @handles('go')
  go(to: ActorRef, n: number): number {
    for (let i = 0; i < n; i++) to.send('ping', this.self, i);
    return n;
  }

  @handles('alive')
  alive(): boolean {
    return true;
  }
}

/** Sends `to` a 'ping' with itself as sender, and keeps what comes back in its 'reply' handler. */
export class ReplyKeeper extends Actor {
  private readonly replies: unknown[] = [];

  @handles('go')
  go(to: ActorRef, value: unknown): void {
    to.send('echo', this.self, value);
  }

  @handles('reply')
  reply(value: unknown): void {
    this.replies.push(value);
  }

  @handles('replies')
  got(): unknown[] {
    return this.replies;
  }
}

/** Answers 'echo' with its argument. */
export class EchoBack extends Actor {
  @handles('echo')
  echo(value: unknown): unknown {
    return value;
  }
}

/** A functionActor that crashes if it is ever run with 'crash' (an unsolicited reply must not run it). */
export const crashOnReply = functionActor(function crashOnReply(value: unknown) {
  if (value === 'crash') throw new Error('a reply ran the function');
  return value;
});

/** Its onStart waits for the gate `gate` (a call) to open. */
export class GatedStart extends Actor {
  private opened = false;

  constructor(private readonly gate: ActorRef) {
    super();
  }

  override async onStart(): Promise<void> {
    await this.runtime.proxy(this.gate).call('wait', [], undefined, { timeout: 60_000 });
    this.opened = true;
  }

  @handles('opened')
  isOpened(): boolean {
    return this.opened;
  }
}

/** Its onStart throws `why` (synchronously, or after an await with `async`). */
export class StartFails extends Actor {
  constructor(
    private readonly why: string,
    private readonly async = false,
  ) {
    super();
  }

  override onStart(): void | Promise<void> {
    if (!this.async) throw new Error(this.why);
    return Promise.resolve().then(() => {
      throw new Error(this.why);
    });
  }

  @handles('ping')
  ping(): string {
    return 'pong';
  }
}

/** Starts timers on demand: sendAfter to another actor, and its own keyed timers; counts its ticks. */
export class Timed extends Actor {
  private ticks = 0;
  private readonly notes: unknown[] = [];

  /** sendAfter(ms, to, tag, ...args) from inside this actor (the timer is this actor's). */
  @handles('sendAfter')
  arm(ms: number, to: ActorRef, tag: string, ...args: unknown[]): boolean {
    return sendAfter(ms, to, tag, ...args).pending;
  }

  /** sendAfter, then exit at once (its timer must die with it). */
  @handles('armAndStop')
  armAndStop(ms: number, to: ActorRef, tag: string, ...args: unknown[]): void {
    sendAfter(ms, to, tag, ...args);
    this.stop();
  }

  @handles('every')
  every(key: string, ms: number): void {
    this.timers.every(key, ms, 'tick');
  }

  @handles('once')
  once(key: string, ms: number, ...args: unknown[]): void {
    this.timers.once(key, ms, 'note', ...args);
  }

  @handles('cancel')
  cancel(key: string): boolean {
    return this.timers.cancel(key);
  }

  @handles('isActive')
  isActive(key: string): boolean {
    return this.timers.isActive(key);
  }

  /** Cancels `key` and answers how many ticks were handled: none may follow. */
  @handles('stopTicking')
  stopTicking(key: string): number {
    this.timers.cancel(key);
    return this.ticks;
  }

  /** Waits (busy: messages queue) until `gate` opens, then cancels `key`; answers what cancel said. */
  @handles('cancelAfterGate')
  async cancelAfterGate(gate: ActorRef, key: string): Promise<[boolean, boolean]> {
    await this.runtime.proxy(gate).call('wait', [], undefined, { timeout: 60_000 });
    const active = this.timers.isActive(key);
    return [active, this.timers.cancel(key)];
  }

  /** Waits (busy) until `gate` opens, then starts `key` again as a once timer with note `note`. */
  @handles('replaceAfterGate')
  async replaceAfterGate(gate: ActorRef, key: string, ms: number, note: unknown): Promise<void> {
    await this.runtime.proxy(gate).call('wait', [], undefined, { timeout: 60_000 });
    this.timers.once(key, ms, 'note', note);
  }

  /** A bad timer start: answers the error's name and message instead of crashing. */
  @handles('badTimer')
  badTimer(kind: 'once' | 'every', key: unknown, ms: unknown, tag: unknown): string {
    try {
      if (kind === 'once') this.timers.once(key, ms as number, tag as string);
      else this.timers.every(key, ms as number, tag as string);
      return 'no error';
    } catch (err) {
      return `${(err as Error).name}: ${(err as Error).message}`;
    }
  }

  @handles('tick')
  tick(): void {
    this.ticks++;
  }

  @handles('ticks')
  count(): number {
    return this.ticks;
  }

  @handles('note')
  note(...args: unknown[]): void {
    this.notes.push(args);
  }

  @handles('notes')
  seen(): unknown[] {
    return this.notes;
  }

  @handles('stop')
  halt(): void {
    this.stop();
  }
}
