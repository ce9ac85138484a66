/**
 * The actors of the churn soak (bench/soak.ts), at the top level of a side-effect-free module so that worker
 * threads can import them: short-lived partners, a server that answers late, and a driver that runs one
 * round of churn of a kind (links, monitors, calls and timeouts, names) and says how many operations it did.
 */
import {
  Actor,
  type ActorRef,
  actor,
  CallTimeoutError,
  demonitor,
  type ExitReason,
  handles,
  link,
  type Message,
  me,
  monitor,
  ReceiveTimeoutError,
  recv,
  register,
  type SpawnOptions,
  spawnWith,
  trapExit,
  unregister,
} from '../src/index.js';

/** A short-lived partner or supervised child: ends how it is told. */
export class SoakWorker extends Actor {
  @handles('ping') ping(x: unknown): unknown {
    return x;
  }

  @handles('quit') quit(reason: ExitReason): void {
    this.stop(reason);
  }

  @handles('crash') crash(): never {
    throw new Error('soak: crash on cue');
  }
}

/** Ends as soon as it has started (normal, or with an error). */
@actor()
export class SoakBrief extends Actor {
  constructor(private readonly crash: boolean) {
    super();
  }

  override onStart(): void {
    this.stop(this.crash ? new Error('soak: brief crash') : 'normal');
  }
}

/** Answers every call `ms` later without blocking (a raw loop), so calls with a shorter timeout time out. */
@actor()
export class Sluggish extends Actor {
  override async run(): Promise<void> {
    const self = me();
    for (;;) {
      const [tag, sender, args] = await recv();
      if (tag === 'quit') return;
      if (sender !== null) setTimeout(() => sender.send('reply', self, 'late'), args[0] as number);
    }
  }
}

const REASONS: ExitReason[] = ['normal', 'shutdown', 'crash'];
const isDown = (mref: number) => (m: Message) => m[0] === 'DOWN' && m[2][1] === mref;
/** Generous: the machine may be loaded; a stuck round shows as a stall in the per-minute counts. */
const WAIT = { timeout: 120_000 };

function end(t: { cast(tag: string, ...args: unknown[]): void }, reason: ExitReason): void {
  if (reason === 'crash') t.cast('crash');
  else t.cast('quit', reason);
}

/** Runs rounds of churn; partners go where `where` says (another thread, on threads). */
export class Churn extends Actor {
  private names = 0;

  @handles('ping') ping(): string {
    return 'pong';
  }

  /** `n` linked partners (half spawnLink, half link) end normal/shutdown/crash; the EXITs are trapped. */
  @handles('links') async links(n: number, where: SpawnOptions): Promise<number> {
    trapExit(true);
    const partners = Array.from({ length: n }, (_, i) =>
      i % 2 === 0 ? spawnWith({ ...where, link: true }, SoakWorker) : spawnWith(where, SoakWorker),
    );
    for (let i = 1; i < n; i += 2) link(partners[i]!);
    for (const [i, p] of partners.entries()) end(p, REASONS[i % 3]!);
    for (let i = 0; i < n; i++) await recv('EXIT', WAIT);
    trapExit(false);
    return n;
  }

  /**
   * `n` monitored partners: a third demonitored while alive, the rest end normal/shutdown/crash and their
   * DOWNs are taken; plus monitors of actors that are already gone (DOWN 'noproc').
   */
  @handles('monitors') async monitors(n: number, where: SpawnOptions): Promise<number> {
    const partners = Array.from({ length: n }, () => spawnWith(where, SoakWorker));
    const mrefs = partners.map((p) => monitor(p));
    const watched: number[] = [];
    for (const [i, p] of partners.entries()) {
      if (i % 3 === 0) demonitor(mrefs[i]!, { flush: true });
      else watched.push(mrefs[i]!);
      end(p, REASONS[i % 3]!);
    }
    for (const m of watched) await recv(isDown(m), WAIT);
    const brief = spawnWith(where, SoakBrief, n % 2 === 0);
    const first = monitor(brief);
    await recv(isDown(first), WAIT);
    const late = monitor(brief);
    await recv(isDown(late), WAIT);
    return n + 2;
  }

  /**
   * `n` calls to `server` that are answered, `n` calls to `sluggish` that time out (their replies arrive
   * late and are dropped), `n` calls that fail because the callee crashes, `n` receive timeouts.
   */
  @handles('calls') async calls(n: number, server: ActorRef, sluggish: ActorRef, where: SpawnOptions) {
    const rt = this.runtime;
    const s = rt.proxy(server);
    const slow = rt.proxy(sluggish);
    for (let i = 0; i < n; i++) {
      if ((await s.call('ping', [i], undefined, WAIT)) !== i) throw new Error('soak: wrong answer');
      // Times out, unless the event loop lags more than the reply's delay: then, as in Erlang, the reply
      // that is there when the timeout is looked at wins.
      const late = await slow.call('late', [20], undefined, { timeout: 2 }).catch((e: unknown) => e);
      if (!(late instanceof CallTimeoutError) && late !== 'late') throw new Error(`soak: call got ${late}`);
      const victim = spawnWith(where, SoakWorker);
      await victim.call('crash', [], undefined, WAIT).catch(() => undefined);
      const got = await recv('never', { timeout: 1 }).catch((e: unknown) => e);
      if (!(got instanceof ReceiveTimeoutError)) throw new Error('soak: expected a receive timeout');
    }
    return 4 * n;
  }

  /** `n` partners take a name each; half give it back, the rest die with it. */
  @handles('names') async namesRound(n: number, where: SpawnOptions): Promise<number> {
    const partners = Array.from({ length: n }, () => spawnWith(where, SoakWorker));
    const names = partners.map(() => `soak-${this.self.id}-${this.names++}`);
    await Promise.all(partners.map((p, i) => register(names[i]!, p)));
    const watches = partners.map((p) => monitor(p));
    for (let i = 0; i < n; i += 2) await unregister(names[i]!);
    for (const [i, p] of partners.entries()) end(p, REASONS[i % 3]!);
    for (const w of watches) await recv(isDown(w), WAIT);
    return 3 * n;
  }
}
