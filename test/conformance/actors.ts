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
  link,
  type Message,
  me,
  monitor,
  ReplyRef,
  recv,
  register,
  send,
  spawnLink,
  trapExit,
  unregister,
  whereis,
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

// ---- Actors that can sit on any thread (the harness's h.on(n) places them), so that partners in a test
// ---- run apart on a thread controller. A plain function actor stays on the thread that spawns it.

/** Waits forever; answers only 'ping' (so a partner can make sure its earlier signals have arrived). */
@actor()
export class Idle extends Actor {
  override async run(): Promise<void> {
    for (;;) {
      const [tag, sender] = await recv((m: Message) => m[0] === 'ping');
      sender?.send('reply', me(), tag);
    }
  }
}

/** Throws `why` at once (a class twin of `crasher`). */
@actor()
export class Crasher extends Actor {
  constructor(private readonly why: string) {
    super();
  }
  override async run(): Promise<void> {
    throw new Error(this.why);
  }
}

/** Returns at once: exits 'normal'. */
@actor()
export class Done extends Actor {
  override async run(): Promise<string> {
    return 'done';
  }
}

/**
 * Links to `partner`, then, with `notify`, pings the partner (the ping travels behind the link, so the
 * link has reached it once the ping is answered) and tells `notify` 'linked'. Then: with `until` 'go' it
 * returns on a 'go' message, with 'crash' it throws Error('crash') at once, else it waits forever.
 */
@actor()
export class Linked extends Actor {
  constructor(
    private readonly partner: ActorRef,
    private readonly notify?: ActorRef,
    private readonly until: 'go' | 'crash' | 'never' = 'never',
  ) {
    super();
  }
  override async run(): Promise<void> {
    link(this.partner);
    if (this.until === 'crash') throw new Error('crash');
    if (this.notify !== undefined) {
      await this.runtime.proxy(this.partner).call('ping', [], undefined, { timeout: 60_000 });
      send(this.notify, 'linked');
    }
    if (this.until === 'go') await recv('go');
    else await recv(() => false);
  }
}

/** Traps exits and receives anything, forever: only a kill ends it. */
@actor()
export class Trapper extends Actor {
  override async run(): Promise<void> {
    trapExit(true);
    for (;;) await recv();
  }
}

/** Traps exits, tells `parent` 'ready', then reports the first EXIT to it as ['saw', tag, fromParent, reason]. */
@actor()
export class ExitWatcher extends Actor {
  constructor(private readonly parent: ActorRef) {
    super();
  }
  override async run(): Promise<void> {
    trapExit(true);
    send(this.parent, 'ready');
    const [tag, from, [reason]] = await recv('EXIT');
    send(this.parent, 'saw', tag, (from as ActorRef).equals(this.parent), reason);
  }
}

/** Crashes with Error('die') when told 'die'. With `name`, registers itself first and tells `notify`. */
@actor()
export class DiesOnCue extends Actor {
  constructor(
    private readonly name?: string,
    private readonly notify?: ActorRef,
  ) {
    super();
  }
  override async run(): Promise<void> {
    if (this.name !== undefined) {
      await register(this.name);
      if (this.notify !== undefined) send(this.notify, 'registered');
    }
    await recv('die');
    throw new Error('die');
  }
}

/** spawnLinks a Crasher('instant'), then waits forever (it dies with the child). */
@actor()
export class InstantLinkParent extends Actor {
  override async run(): Promise<void> {
    spawnLink(Crasher, 'instant');
    await recv(() => false);
  }
}

/** Answers the first call with whether its sender slot held a ReplyRef, then waits for one more message. */
@actor()
export class ReplyKind extends Actor {
  override async run(): Promise<void> {
    const [, s] = await recv();
    s?.send('reply', me(), s instanceof ReplyRef);
    await recv();
  }
}

/** Answers one call with its ReplyRef's id (the caller's actor id; -1 if the sender was no ReplyRef). */
@actor()
export class ReplyIdEcho extends Actor {
  override async run(): Promise<void> {
    const [, s] = await recv();
    // The reply address itself: it travels back as the caller's own (an id is per node in a cluster).
    s?.send('reply', me(), s instanceof ReplyRef ? s : -1);
  }
}

/** Answers the first call with the tag 'oops' instead of 'reply'. */
@actor()
export class WrongTagReplier extends Actor {
  override async run(): Promise<void> {
    const [, sender] = await recv();
    sender?.send('oops', me(), 1);
    await recv();
  }
}

/** Kills `target` on a 'kill' call and answers with the exit reason its monitor saw. */
@actor()
export class Killer extends Actor {
  override async run(): Promise<void> {
    for (;;) {
      const [, sender, [target]] = await recv('kill');
      const mref = monitor(target as ActorRef);
      exit(target as ActorRef, 'kill');
      const [, , [reason]] = await recv((m: Message) => m[0] === 'DOWN' && m[2][1] === mref);
      sender?.send('reply', me(), reason);
    }
  }
}

/** Sends messages from its own thread. Its answer arrives after the messages (FIFO between two threads). */
export class Courier extends Actor {
  /** Sends each `[tag, ...args]` to `to` with itself as sender. */
  @handles('sendAll')
  sendAll(to: ActorRef, messages: [string, ...unknown[]][]): number {
    for (const [tag, ...args] of messages) send(to, tag, ...args);
    return messages.length;
  }

  /** Casts each `[tag, ...args]` to `to` (no sender). */
  @handles('castAll')
  castAll(to: ActorRef, messages: [string, ...unknown[]][]): number {
    for (const [tag, ...args] of messages) this.runtime.proxy(to).cast(tag, ...args);
    return messages.length;
  }
}

/** Makes a call from its own thread and answers with how it went, `{ value }` or `{ error }` (never crashes). */
export class Caller extends Actor {
  @handles('callOf')
  async callOf(
    to: ActorRef,
    tag: string,
    args: unknown[],
    timeout?: number,
  ): Promise<{ value?: unknown; error?: unknown }> {
    try {
      const options = timeout === undefined ? undefined : { timeout };
      return { value: await this.runtime.proxy(to).call(tag, args, undefined, options) };
    } catch (error) {
      return { error };
    }
  }
}

/** Uses the functional name API from inside an actor: register, whereis, unregister twice, whereis. */
export class NameUser extends Actor {
  @handles('roundTrip')
  async roundTrip(): Promise<unknown[]> {
    await register('me');
    const found = await whereis('me');
    const removed = await unregister('me');
    const again = await unregister('me');
    return [found !== undefined, removed, again, await whereis('me')];
  }
}
