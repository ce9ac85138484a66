/**
 * Actors used by the conformance suite. They live at the top level of this side-effect-free module so
 * that every controller, worker threads included, can import them.
 */
import {
  Actor,
  type ActorRef,
  actor,
  type ExitReason,
  exit,
  functionActor,
  handles,
  type Message,
  me,
  recv,
  send,
  trapExit,
} from '../../src/index.js';

/** A wall-clock time comparable across threads (each thread's timeOrigin differs; their sum does not). */
export function stamp(): number {
  return performance.timeOrigin + performance.now();
}

export class Adder extends Actor {
  @handles('add')
  add(a: number, b: number): number {
    return a + b;
  }
}

/** Counts, echoes, fails on demand, and reports what it saw of the current message. */
export class Probe extends Actor {
  private count = 0;
  readonly seen: unknown[] = [];

  @handles('incr')
  incr(by = 1): number {
    this.count += by;
    return this.count;
  }

  @handles('get')
  get(): number {
    return this.count;
  }

  @handles('note')
  note(value: unknown): void {
    this.seen.push(value);
  }

  @handles('seen')
  seenList(): unknown[] {
    return this.seen;
  }

  @handles('fail')
  fail(message: string): never {
    throw new Error(message);
  }

  @handles('failAsync')
  async failAsync(message: string): Promise<never> {
    await null;
    throw new Error(message);
  }

  @handles('slow')
  async slow(ms: number, value: unknown): Promise<unknown> {
    await new Promise((r) => setTimeout(r, ms));
    return value;
  }

  /** Blocks this actor (awaiting) until `gate` opens. */
  @handles('relay')
  async relay(gate: ActorRef): Promise<unknown> {
    return this.runtime.proxy(gate).call('wait', [], undefined, { timeout: 60_000 });
  }

  @handles('whoami')
  whoami(): { tag: string | undefined; kwargs: Record<string, unknown>; hasSender: boolean; self: ActorRef } {
    return { tag: this.tag, kwargs: this.kwargs, hasSender: this.sender !== null, self: this.self };
  }

  @handles('meAfterAwait')
  async meAfterAwait(): Promise<boolean> {
    await null;
    return me().equals(this.self);
  }

  @handles('never')
  never(): Promise<never> {
    return new Promise(() => {});
  }

  @handles('exitSelf')
  exitSelf(reason: ExitReason): string {
    exit(this.self, reason);
    return 'unreachable reply';
  }

  /** Not a handler: the proxy rejects calls to it with UnknownTagError. */
  helper(): number {
    return 1;
  }
}

/** Records onStart/onStop into a shared log (passed by ref of an array only in tasklet tests). */
export class Lifecycle extends Actor {
  constructor(
    private readonly label: string,
    private readonly log: ActorRef,
  ) {
    super();
  }

  override onStart(): void {
    send(this.log, 'note', `start ${this.label}`, stamp());
  }

  override onStop(reason: ExitReason): void {
    send(this.log, 'note', `stop ${this.label} ${String(reason)}`, stamp());
  }

  @handles('ping')
  ping(): string {
    return `pong ${this.label}`;
  }
}

/** An Actor whose onStart is async: messages wait for it. */
export class SlowStart extends Actor {
  private ready = false;

  override async onStart(): Promise<void> {
    await new Promise((r) => setTimeout(r, 20));
    this.ready = true;
  }

  @handles('ready')
  isReady(): boolean {
    return this.ready;
  }
}

@actor()
export class FailingConstructor extends Actor {
  constructor() {
    super();
    throw new Error('constructor failed');
  }
}

/** Traps exits and has no EXIT handler: a non-normal EXIT stops it (gen_server style). */
export class TrappingServer extends Actor {
  override onStart(): void {
    trapExit(true);
  }

  @handles('ping')
  ping(): string {
    return 'pong';
  }
}

/** An Actor with run(): a raw PARLEY receive loop. */
@actor()
export class LoopActor extends Actor {
  override async run(): Promise<string> {
    for (;;) {
      const [tag, sender, args] = await recv();
      if (tag === 'stop') return 'stopped';
      if (tag === 'double') sender?.send('reply', me(), (args[0] as number) * 2);
    }
  }
}

export class Pong extends Actor {
  @handles('ping')
  ping(n: number): number {
    return n;
  }
}

/** Sends `n` pings with itself as sender; each reply from Pong triggers the next; then tells `notify` 'done'. */
export class Pinger extends Actor {
  private remaining = 0;
  private total = 0;
  private notify: ActorRef | undefined;
  private pong: ActorRef | undefined;

  @handles('start')
  start(pong: ActorRef, n: number, notify: ActorRef): void {
    this.pong = pong;
    this.remaining = this.total = n;
    this.notify = notify;
    pong.send('ping', this.self, n);
  }

  @handles('reply')
  reply(n: number): void {
    if (--this.remaining === 0) this.notify!.send('done', this.self, this.total);
    else this.pong!.send('ping', this.self, n - 1);
  }
}

/** PARLEY's adder as a function actor with a receive loop. */
export async function adderLoop(): Promise<void> {
  for (;;) {
    const [tag, sender, args] = await recv();
    if (tag === 'quit') return;
    if (tag === 'add') sender?.send('reply', me(), (args[0] as number) + (args[1] as number));
  }
}

/** Forwards every message it receives to `to` as `['got', me(), [message]]`. */
export async function forwarder(to: ActorRef): Promise<void> {
  for (;;) {
    const msg = await recv();
    send(to, 'got', msg);
  }
}

/** Receives one message and returns it (its exit value). */
export async function receiveOne(): Promise<Message> {
  return recv();
}

/** Answers one 'wait' call once it gets an 'open' cast. */
export async function gate(): Promise<void> {
  const [, waiter] = await recv('wait');
  await recv('open');
  waiter?.send('reply', me(), 'opened');
}

/** Waits forever. */
export async function idle(): Promise<void> {
  await recv(() => false);
}

/** Throws at once. */
export async function crasher(message: string): Promise<void> {
  throw new Error(message);
}

export const addFn = functionActor(function addFn(a: number, b: number) {
  return a + b;
});
