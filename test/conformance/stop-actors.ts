/**
 * Actors for stop-with-reply (stop.test.ts): a Stopper whose handlers call this.stop(), and a StopCaller
 * that calls it from another thread and reports what it saw (reply, onStop's note, DOWN, a later call).
 */
import {
  Actor,
  type ActorRef,
  actor,
  type ExitReason,
  handles,
  me,
  monitor,
  recv,
  send,
} from '../../src/index.js';

/** Describes a reason or an error the same way on every thread (an Error arrives as a copy). */
export function describeOutcome(v: unknown): string {
  return v instanceof Error ? `${v.name}: ${v.message}` : String(v);
}

/** Handlers that stop the actor; onStop sends a 'note' to `watcher`. */
export class Stopper extends Actor {
  constructor(private readonly watcher?: ActorRef) {
    super();
  }

  @handles('die')
  die(reason: ExitReason): string {
    this.stop(reason);
    return 'sync reply';
  }

  @handles('dieLater')
  async dieLater(reason: ExitReason): Promise<string> {
    this.stop(reason);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
    return 'async reply';
  }

  @handles('dieThenThrow')
  dieThenThrow(): string {
    this.stop('bye');
    throw new Error('thrown after stop');
  }

  @handles('stopTwice')
  stopTwice(): string {
    this.stop('first');
    this.stop('second');
    return 'twice';
  }

  @handles('quit')
  quit(reason: ExitReason): string {
    this.stop(reason);
    return 'nobody hears this';
  }

  @handles('ping')
  ping(): string {
    return 'pong';
  }

  override onStop(reason: ExitReason): void {
    if (this.watcher !== undefined) send(this.watcher, 'note', `onStop ${describeOutcome(reason)}`);
  }
}

/** What StopCaller saw. */
export interface StopOutcome {
  /** The first call's value or error (absent for a cast). */
  first?: string;
  /** Whether onStop's note had arrived by the time the first call's answer did. */
  noteBeforeReply?: boolean;
  /** A second call sent right after the first, while the first was being handled. */
  second?: string;
  /** The DOWN reason. */
  down: string;
}

/**
 * On `go(target, tag, arg)`: monitors `target`, calls (or, for 'quit', casts) `tag` with `arg`, sends a
 * 'ping' call right behind it, and answers with a StopOutcome.
 */
@actor()
export class StopCaller extends Actor {
  override async run(): Promise<void> {
    for (;;) {
      const [, sender, [target, tag, arg]] = await recv('go');
      const to = target as ActorRef;
      const mref = monitor(to);
      const p = this.runtime.proxy(to);
      const out: StopOutcome = { down: '' };
      const settle = (c: Promise<unknown>) => c.then(describeOutcome, describeOutcome);
      if (tag === 'quit') {
        p.cast('quit', arg);
      } else {
        const args = arg === undefined ? [] : [arg];
        const first = settle(p.call(tag as string, args, undefined, { timeout: 60_000 }));
        const second = settle(p.call('ping', [], undefined, { timeout: 60_000 }));
        out.first = await first;
        out.noteBeforeReply = await recv('note', { timeout: 0 }).then(
          () => true,
          () => false,
        );
        out.second = await second;
      }
      const [, , [reason]] = await recv((m) => m[0] === 'DOWN' && m[2][1] === mref);
      out.down = describeOutcome(reason);
      sender?.send('reply', me(), out);
    }
  }
}
