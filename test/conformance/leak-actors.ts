/**
 * Actors for the leak tests (leaks.test.ts): churn on one side, short-lived actors on the other. Top level of
 * a side-effect-free module, so that worker threads can import them.
 */
import {
  Actor,
  type ActorRef,
  CallTimeoutError,
  demonitor,
  type ExitReason,
  handles,
  link,
  type Message,
  monitor,
  ReceiveTimeoutError,
  recv,
  register,
  type SpawnOptions,
  spawnWith,
  trapExit,
  unlink,
} from '../../src/index.js';

/** Lives until told how to end. */
export class Ephemeral extends Actor {
  @handles('quit') quit(reason: ExitReason): void {
    this.stop(reason);
  }

  @handles('crash') crash(): never {
    throw new Error('crash on cue');
  }

  @handles('ping') ping(): string {
    return 'pong';
  }

  /** Answers after `ms` (for calls that time out). */
  @handles('slow') async slow(ms: number): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    return 'late';
  }
}

/** Ends as soon as it has started, with `reason`. */
export class Brief extends Actor {
  constructor(private readonly reason: ExitReason = 'normal') {
    super();
  }

  override onStart(): void {
    this.stop(this.reason);
  }

  @handles('ping') ping(): string {
    return 'pong';
  }
}

/** Ends itself in its constructor. */
export class StopsInConstructor extends Actor {
  constructor() {
    super();
    this.stop('normal');
  }

  @handles('ping') ping(): string {
    return 'pong';
  }
}

const isDown = (mref: number) => (m: Message) => m[0] === 'DOWN' && m[2][1] === mref;
const reasons: ExitReason[] = ['normal', 'shutdown', 'crash'];

/** Makes short-lived partners (on the thread `where` says) and links, monitors, calls and names them. */
export class Churner extends Actor {
  @handles('ping') ping(): string {
    return 'pong';
  }

  /** Monitors `n` actors, makes each exit (normal, shutdown, crash in turn), takes every DOWN. */
  @handles('downs') async downs(n: number, where: SpawnOptions): Promise<number> {
    const targets = Array.from({ length: n }, () => spawnWith(where, Ephemeral));
    const mrefs = targets.map((t) => monitor(t));
    for (const [i, t] of targets.entries()) end(t, reasons[i % 3]!);
    for (const mref of mrefs) await recv(isDown(mref), { timeout: 60_000 });
    return n;
  }

  /** Monitors `n` actors that have exited already: each monitor answers a DOWN 'noproc'. */
  @handles('downsOfDead') async downsOfDead(n: number, where: SpawnOptions): Promise<unknown[]> {
    const got: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const t = spawnWith(where, Brief);
      const watch = monitor(t);
      const [, , [reason]] = await recv(isDown(watch), { timeout: 60_000 });
      const again = monitor(t); // now surely dead: 'noproc'
      const [, , [late]] = await recv(isDown(again), { timeout: 60_000 });
      got.push(reason, late);
    }
    return [...new Set(got)];
  }

  /**
   * Monitors `n` live actors; demonitors half of them while they live, then ends the other half and, once
   * their DOWNs are queued, demonitors those with flush. Resolves with [demonitor answered true, answered
   * false (fired already), DOWNs left in the mailbox afterwards].
   */
  @handles('demonitors') async demonitors(n: number, where: SpawnOptions): Promise<number[]> {
    const targets = Array.from({ length: n }, () => spawnWith(where, Ephemeral));
    const mrefs = targets.map((t) => monitor(t));
    await Promise.all(targets.map((t) => t.call('ping', [], undefined, { timeout: 60_000 })));
    const half = n >> 1;
    let yes = 0;
    let no = 0;
    for (let i = 0; i < half; i++) demonitor(mrefs[i]!) ? yes++ : no++;
    // A second monitor on each of the other half: its DOWN comes after the first one's (same sender).
    const seconds = targets.slice(half).map((t) => monitor(t));
    for (let i = half; i < n; i++) end(targets[i]!, 'normal');
    for (const m of seconds) await recv(isDown(m), { timeout: 60_000 });
    for (let i = half; i < n; i++) demonitor(mrefs[i]!, { flush: true }) ? yes++ : no++;
    for (let i = 0; i < half; i++) end(targets[i]!, 'normal');
    // No DOWN of a demonitored monitor ever arrives, and the flushed ones are gone.
    let stray = 0;
    for (;;) {
      const got = await recv('DOWN', { timeout: 100 }).catch(() => undefined);
      if (got === undefined) break;
      stray++;
    }
    return [yes, no, stray];
  }

  /** Links to `n` actors, trapping exits; each ends (normal, shutdown, crash in turn); takes every EXIT. */
  @handles('links') async links(n: number, where: SpawnOptions): Promise<number> {
    trapExit(true);
    const targets = Array.from({ length: n }, (_, i) =>
      i % 2 === 0 ? spawnWith({ ...where, link: true }, Ephemeral) : spawnWith(where, Ephemeral),
    );
    for (let i = 1; i < n; i += 2) link(targets[i]!);
    for (const [i, t] of targets.entries()) end(t, reasons[i % 3]!);
    let exits = 0;
    while (exits < n) {
      await recv('EXIT', { timeout: 60_000 });
      exits++;
    }
    trapExit(false);
    return exits;
  }

  /** Links to `n` live actors and unlinks them all, then ends them (no EXIT, no entry left). */
  @handles('unlinks') async unlinks(n: number, where: SpawnOptions): Promise<number> {
    const targets = Array.from({ length: n }, () => spawnWith(where, Ephemeral));
    for (const t of targets) link(t);
    await Promise.all(targets.map((t) => t.call('ping', [], undefined, { timeout: 60_000 })));
    for (const t of targets) unlink(t);
    const watches = targets.map((t) => monitor(t));
    for (const t of targets) end(t, 'crash');
    for (const w of watches) await recv(isDown(w), { timeout: 60_000 });
    return n;
  }

  /** Links to `n` actors that are already gone: each answers an exit signal 'noproc' (trapped here). */
  @handles('linksToDead') async linksToDead(n: number, where: SpawnOptions): Promise<number> {
    trapExit(true);
    let noproc = 0;
    for (let i = 0; i < n; i++) {
      const t = spawnWith(where, Brief);
      const watch = monitor(t);
      await recv(isDown(watch), { timeout: 60_000 });
      link(t);
      const [, , [reason]] = await recv('EXIT', { timeout: 60_000 });
      if (reason === 'noproc') noproc++;
    }
    trapExit(false);
    return noproc;
  }

  /**
   * `n` calls that time out (to a slow actor), `n` that fail (the callee crashes), `n` receive timeouts,
   * and `n` names held by actors that then exit. Resolves with how many of each behaved as expected.
   */
  @handles('timeouts') async timeouts(n: number, where: SpawnOptions): Promise<number[]> {
    const slow = spawnWith(where, Ephemeral);
    let timedOut = 0;
    let failed = 0;
    let recvTimedOut = 0;
    let named = 0;
    for (let i = 0; i < n; i++) {
      await slow.call('slow', [20], undefined, { timeout: 1 }).catch((e: unknown) => {
        if (e instanceof CallTimeoutError) timedOut++;
      });
      const victim = spawnWith(where, Ephemeral);
      await victim.call('crash', [], undefined, { timeout: 60_000 }).catch(() => failed++);
      await recv('never', { timeout: 1 }).catch((e: unknown) => {
        if (e instanceof ReceiveTimeoutError) recvTimedOut++;
      });
      const holder = spawnWith(where, Ephemeral);
      await register(`leak-test-${i}`, holder);
      const watch = monitor(holder);
      end(holder, reasons[i % 3]!);
      await recv(isDown(watch), { timeout: 60_000 });
      named++;
    }
    end(slow, 'normal');
    return [timedOut, failed, recvTimedOut, named];
  }
}

/** Makes `t` exit with `reason` ('crash': a handler throws). */
function end(t: { ref: ActorRef; cast(tag: string, ...args: unknown[]): void }, reason: ExitReason): void {
  if (reason === 'crash') t.cast('crash');
  else t.cast('quit', reason);
}
