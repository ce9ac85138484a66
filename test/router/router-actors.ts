/** Actors for the router tests (top level of an importable module, as worker threads need). */
import {
  Actor,
  type ActorRef,
  actor,
  handles,
  link,
  me,
  monitor,
  recv,
  Supervisor,
  trapExit,
  whereis,
} from '../../src/index.js';

/** Dies, on request, with a reason that cannot be copied as it is. */
export class Doomed extends Actor {
  @handles('dieWith') dieWith(kind: string): never {
    if (kind === 'symbol') throw Symbol('gone');
    if (kind === 'function') {
      const err = new Error('socket hang up') as Error & { request?: unknown; code?: string };
      err.code = 'ECONNRESET';
      err.request = { abort: () => {} }; // as HTTP clients' errors carry
      throw err;
    }
    if (kind === 'getter') {
      throw Object.defineProperty(new Error('bad getter'), 'detail', {
        enumerable: true,
        get() {
          throw new Error('getter threw');
        },
      });
    }
    const cyclic: Record<string, unknown> = { name: 'cycle' };
    cyclic.self = cyclic;
    throw cyclic;
  }

  @handles('ping') ping(): string {
    return 'pong';
  }
}

/** Monitors an actor and answers with the reason of its DOWN. */
export class Watcher extends Actor {
  private mref = 0;

  /** Monitors `ref`; answers once the monitor is in place there (a ping behind it was answered). */
  @handles('watch') async watch(ref: ActorRef): Promise<void> {
    this.mref = monitor(ref);
    ref.send('ping', me());
    await recv('reply', { timeout: 30_000 });
  }

  /**
   * A DOWN that arrives before `down` is asked for (nothing orders the caller's 'down' after the watched
   * actor's death: they come from different senders) is kept for it.
   */
  private readonly downs = new Map<number, unknown>();
  @handles('DOWN') gotDown(reason: unknown, mref: number): void {
    this.downs.set(mref, reason);
  }

  /** The reason of the DOWN of what `watch` watches. */
  @handles('down') async down(): Promise<unknown> {
    if (this.downs.has(this.mref)) return this.downs.get(this.mref);
    const [, , args] = await recv((m) => m[0] === 'DOWN' && m[2][1] === this.mref, { timeout: 30_000 });
    return args[0];
  }

  /** Monitors `ref` and answers with the reason of its DOWN. */
  @handles('downOf') async downOf(ref: ActorRef): Promise<unknown> {
    const mref = monitor(ref);
    const [, , args] = await recv((m) => m[0] === 'DOWN' && m[2][1] === mref, { timeout: 30_000 });
    return args[0];
  }

  /** Links to `ref` while trapping exits; answers with the reason of the EXIT. */
  @handles('exitOf') async exitOf(ref: ActorRef): Promise<unknown> {
    trapExit(true);
    link(ref);
    const [, , args] = await recv((m) => m[0] === 'EXIT', { timeout: 30_000 });
    return args[0];
  }

  /** whereis with whatever it is given (bad input must not take the thread down). */
  @handles('whereis') async where(kind: string): Promise<string> {
    const name = kind === 'symbol' ? Symbol(kind) : kind === 'function' ? () => kind : kind;
    try {
      await whereis(name as string);
      return 'resolved';
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  }
}

/** Counts the messages it handles, doing a little work for each, and reports every 500 to `to`. */
export class Slow extends Actor {
  private n = 0;
  @handles('ping') ping(): string {
    return 'pong';
  }
  @handles('work') work(to: ActorRef): void {
    const end = performance.now() + 0.02;
    while (performance.now() < end) {}
    if (++this.n % 500 === 0) to.send('count', null, this.n);
  }
}

/** Keeps the last count it was told. */
export class Counter extends Actor {
  private last = 0;
  @handles('count') count(n: number): void {
    this.last = n;
  }
  @handles('last') lastCount(): number {
    return this.last;
  }
}

/** A supervisor with one worker child, for the tree view. */
@actor()
export class Tree extends Supervisor {
  static override strategy = 'one_for_one' as const;
  override children() {
    return [{ id: 'doomed', actor: Doomed }];
  }
}
