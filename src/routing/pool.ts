/**
 * Pools (routers): `await pool(PrimeCounter, { size: 4, strategy: 'least-busy' })` starts `size` actors of
 * one class, supervised, spread over the worker threads, behind one typed proxy that spreads calls over them
 * (round robin, or to the member with the fewest calls in flight from this proxy), as comedy's `clusterSize`
 * or Akka's pool routers.
 *
 * The pool is a supervisor (one_for_one) whose children are the members, each pinned to worker thread
 * `live[i % live.length]` at each (re)start. The proxy keeps the member list it got from the supervisor and
 * refreshes it when a member exits (its thread reports the exit) or a call finds it gone; a call that found
 * its member gone before it was delivered (NoSuchActorError) goes to another member.
 */

import { Actor } from '../actors/actor.js';
import { FunctionActor } from '../actors/function-actor.js';
import { type ClassInfo, classInfo } from '../actors/handles.js';
import { descriptorOf, isImportable, recordSite } from '../actors/importable.js';
import { type CallOptions, defineHandlerMethods, type TypedMethods } from '../actors/proxy.js';
import {
  ActorExitedError,
  checkKnownOptions,
  checkOption,
  InvalidArgumentError,
  InvalidOptionError,
  NoSuchActorError,
} from '../core/errors.js';
import { argsAfter, type Kwargs, NO_ARGS, NO_KWARGS } from '../core/message.js';
import type { ActorRef } from '../core/ref.js';
import {
  checkOptionsObject,
  checkTag,
  checkTimeout,
  describeType,
  PROXY_KIND,
  timeoutProblem,
} from '../core/validate.js';
import { awaitExit, whenStarted } from '../runtime/answers.js';
import { callProblem } from '../runtime/named.js';
import { checkTarget, type SpawnOptions, type SpawnTarget } from '../runtime/options.js';
import { poolStarter } from '../runtime/pool-hook.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ChildInfo } from '../supervision/child-spec.js';
import { Supervisor } from '../supervision/supervisor.js';

/** How a pool picks the member for a call or cast. */
export type PoolStrategy = 'round-robin' | 'least-busy';

/** Options of `pool(actor, options, ...args)`. */
export interface PoolOptions {
  /** How many members, a whole number from 1 to 1024. */
  size: number;
  /**
   * `'round-robin'` (the default): each call or cast to the next member in turn. `'least-busy'`: to the member
   * with the fewest calls in flight **from this proxy** (ties in turn); the members' other traffic is not seen.
   */
  strategy?: PoolStrategy;
  /** Most member restarts within `period` (default: `size`); one more and the pool gives up and stops. */
  intensity?: number;
  /** The window of `intensity`, ms (default 5000): more than 0, at most 2^31 − 1, or `Infinity`. */
  period?: number;
}

const POOL_OPTIONS = ['size', 'strategy', 'intensity', 'period'];
const STRATEGIES: readonly string[] = ['round-robin', 'least-busy'];
const MAX_SIZE = 1024;
const MEMBER = 'member-';
/** A proxy whose member list is short of `size` asks the supervisor again at most this often, in ms. */
const REFRESH_EVERY_MS = 20;
/** At most this many refreshes in a row for a supervisor that has not yet seen a member's exit. */
const MAX_RECHECKS = 100;

/** @internal A call through the pool (typed methods use it; a symbol, so no actor method can shadow it). */
export const CALL_POOL: unique symbol = Symbol('parley.pool.call');

/**
 * @internal A pool's supervisor: one_for_one over the members, each pinned to a worker thread, spread
 * (member i on `live[i % live.length]`, chosen again at each restart, so a lost thread is avoided).
 */
export class PoolSupervisor extends Supervisor {
  protected override placeChild(id: string): SpawnOptions {
    const live = this.runtime.fabricThreads();
    if (live.length === 0 || !id.startsWith(MEMBER)) return {};
    return { thread: live[Number(id.slice(MEMBER.length)) % live.length]! };
  }
}
// Parley's own module: a worker thread that runs a pool imports the class from here.
recordSite(PoolSupervisor, { url: import.meta.url, topLevel: true, line: null });

/** A pool proxy's member list and its upkeep. */
interface PoolState {
  list: Member[];
  next: number;
  refreshing: Promise<void> | undefined;
  lastRefresh: number;
  stopped: boolean;
  /** Refreshes in a row that still listed a member known to have exited. */
  rechecks: number;
}

interface Member {
  ref: ActorRef;
  /** Calls in flight from this proxy. */
  busy: number;
  /** Seen gone (exited, or a call found it dead): never picked again. */
  gone: boolean;
}

/**
 * The methods every pool proxy has, whatever the actor: `call` and `cast` spread over the members,
 * `broadcast` to all of them, `members()`, `stop()`.
 */
export class PoolProxyBase {
  /** The pool's supervisor (its members are its children: `runtime.proxy(pool.ref).whichChildren()`). */
  readonly ref: ActorRef;
  /** How many members the pool keeps. */
  readonly size: number;
  /** How calls and casts pick a member. */
  readonly strategy: PoolStrategy;
  readonly #runtime: Runtime;
  /** The member list and its upkeep, shared with the proxies `with()` made from this one. */
  readonly #s: PoolState;
  /** The timeout of this proxy's calls (set by `with()`), else the runtime's `callTimeout`. */
  readonly #timeout: number | undefined;

  /** @internal Use `pool(actor, options, ...args)`. */
  constructor(
    runtime: Runtime,
    ref: ActorRef,
    size: number,
    strategy: PoolStrategy,
    members: ActorRef[],
    shared?: PoolState,
    timeout?: number,
  ) {
    this.#runtime = runtime;
    this.ref = ref;
    this.size = size;
    this.strategy = strategy;
    this.#timeout = timeout;
    this.#s = shared ?? {
      list: [],
      next: 0,
      refreshing: undefined,
      lastRefresh: 0,
      stopped: false,
      rechecks: 0,
    };
    if (shared === undefined) this.#adopt(members);
  }

  /**
   * The same pool with per-call options for its calls and typed methods: `pool.with({ timeout: 60_000 }).count(a, b)`
   * (the same members, the same in-flight counts). A bad option throws InvalidOptionError.
   */
  with(options: CallOptions): this {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new InvalidOptionError(
        `pool.with(options) needs an options object such as { timeout: 100 } (got ${describeType(options)})`,
      );
    }
    checkOptionsObject(options, 'pool.with options', ['timeout']);
    const t = options.timeout;
    const timeout = t === undefined ? undefined : checkTimeout(t, 'pool.with options.timeout');
    const Self = this.constructor as new (...a: unknown[]) => this;
    return new Self(this.#runtime, this.ref, this.size, this.strategy, [], this.#s, timeout ?? this.#timeout);
  }

  /**
   * A call by tag to one member (picked by the strategy): resolves with its handler's result, rejects as
   * `ActorProxy.call` does. A member found gone before the call reached it is skipped (the call goes to
   * another); a call in flight when its member crashes rejects with ActorExitedError (it may have run).
   */
  call<R = unknown>(tag: string, args?: unknown[], kwargs?: Kwargs, options?: CallOptions): Promise<R> {
    const problem = callProblem(tag, args, kwargs, options, 'pool.call(tag, args, kwargs, options)');
    if (problem !== undefined) return Promise.reject(problem);
    return this[CALL_POOL](tag, args ?? NO_ARGS, kwargs ?? NO_KWARGS, options?.timeout, 0);
  }

  /** Fire-and-forget to one member (picked by the strategy): `[tag, null, args, {}]`. */
  cast(tag: string, ...args: unknown[]): void;
  cast(tag: string): void {
    checkTag(tag, 'pool.cast(tag, ...args)');
    const m = this.#pick();
    // biome-ignore lint/complexity/noArguments: the allocation-free form, as ActorProxy.cast
    if (m !== undefined) m.ref.sendWith(tag, null, argsAfter(arguments, 1), NO_KWARGS);
    else this.#runtime.logger.debug(`pool ${this.ref}: cast '${tag}' dropped: no running member`);
  }

  /** Fire-and-forget to every running member: `[tag, null, args, {}]` each. */
  broadcast(tag: string, ...args: unknown[]): void {
    checkTag(tag, 'pool.broadcast(tag, ...args)');
    for (const m of this.#s.list) if (!m.gone) m.ref.sendWith(tag, null, args, NO_KWARGS);
  }

  /** The running members, as the supervisor lists them now. */
  async members(): Promise<ActorRef[]> {
    await this.#refresh();
    return this.#s.list.filter((m) => !m.gone).map((m) => m.ref);
  }

  /** Stops the pool: its members (in reverse order, each with exit 'shutdown'), then its supervisor. */
  async stop(): Promise<void> {
    this.#s.stopped = true;
    const rt = this.#runtime;
    const gone = awaitExit(rt, this.ref);
    rt.links.exitSignal(this.ref, rt.systemRef, 'shutdown', false);
    await gone;
    this.#s.list = [];
  }

  /** For logs: which name, or which pool. */
  toString(): string {
    return `Pool${this.ref}`;
  }

  /** What `console.log` and `util.inspect` show: the pool, not the runtime's internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.toString()} { size: ${this.size}, strategy: '${this.strategy}' }`;
  }

  /** For `JSON.stringify`: the name, or the pool's ref. */
  toJSON(): unknown {
    return this.ref.toJSON();
  }

  /** @internal A call to a member; `tries` counts members already found gone for this call. */
  [CALL_POOL](
    tag: string,
    args: unknown[],
    kwargs: Kwargs,
    timeout: number | undefined,
    tries: number,
  ): Promise<any> {
    timeout ??= this.#timeout;
    const m = this.#pick();
    if (m === undefined) {
      if (tries > this.size) return Promise.reject(this.#noMember());
      return this.#refresh().then(() => this[CALL_POOL](tag, args, kwargs, timeout, tries + 1));
    }
    m.busy++;
    let p: Promise<unknown>;
    try {
      p = this.#runtime.call(m.ref, tag, args, kwargs, timeout);
    } catch (err) {
      m.busy--; // refused at the send (NotCloneableError): thrown, as by ActorProxy
      throw err;
    }
    return p.then(
      (value) => {
        m.busy--;
        return value;
      },
      (err: unknown) => {
        m.busy--;
        if (!(err instanceof NoSuchActorError || err instanceof ActorExitedError)) throw err;
        this.#lost(m);
        // NoSuchActorError: the member was gone before the call reached it, so nothing ran: try another.
        if (!(err instanceof NoSuchActorError) || tries >= this.size) throw err;
        return this.#refresh().then(() => this[CALL_POOL](tag, args, kwargs, timeout, tries + 1));
      },
    );
  }

  /** The member for the next call or cast, by the strategy; undefined if none is running. */
  #pick(): Member | undefined {
    const list = this.#s.list;
    const n = list.length;
    if (n < this.size) this.#refreshSoon();
    if (n === 0) return undefined;
    const start = this.#s.next % n;
    this.#s.next = start + 1;
    const rt = this.#runtime;
    let best: Member | undefined;
    for (let k = 0; k < n; k++) {
      const m = list[(start + k) % n]!;
      if (m.gone) continue;
      if (m.ref.thread === rt.thread && rt.cellOf(m.ref) === undefined) {
        this.#lost(m); // a member of this thread: its death is seen at once
        continue;
      }
      if (this.strategy === 'round-robin') return m;
      if (best === undefined || m.busy < best.busy) best = m;
    }
    return best;
  }

  /** A member is gone: never picked again; the list is refreshed (its restart appears there). */
  #lost(m: Member): void {
    if (m.gone) return;
    m.gone = true;
    this.#refreshSoon(true);
  }

  /** Refreshes in the background: at once after an exit, else (a list short of `size`) at most every 20 ms. */
  #refreshSoon(exited = false): void {
    if (this.#s.stopped || this.#s.refreshing !== undefined || this.#runtime.shuttingDown) return;
    if (!exited && this.#runtime.clock.now() - this.#s.lastRefresh < REFRESH_EVERY_MS) return;
    this.#refresh().catch(() => undefined);
  }

  /** Asks the supervisor for its running children (it answers once it has dealt with exits queued before). */
  #refresh(): Promise<void> {
    if (this.#s.stopped) return Promise.reject(this.#noMember());
    this.#s.refreshing ??= this.#runtime.call(this.ref, 'whichChildren', NO_ARGS, NO_KWARGS, undefined).then(
      (infos: ChildInfo[]) => {
        this.#s.refreshing = undefined;
        this.#s.lastRefresh = this.#runtime.clock.now();
        const stale = this.#adopt(infos.filter((c) => c.ref !== undefined).map((c) => c.ref!));
        // The supervisor answered before it saw a member's exit: ask again (its restart shows up next).
        if (stale && this.#s.rechecks++ < MAX_RECHECKS) this.#refresh().catch(() => undefined);
        else if (!stale) this.#s.rechecks = 0;
      },
      (err: unknown) => {
        this.#s.refreshing = undefined;
        this.#s.lastRefresh = this.#runtime.clock.now();
        if (err instanceof NoSuchActorError || err instanceof ActorExitedError) {
          this.#s.stopped = true; // the pool's supervisor has exited (stopped, or gave up)
          this.#s.list = [];
          throw this.#noMember();
        }
        throw err;
      },
    );
    return this.#s.refreshing;
  }

  /**
   * The new member list: known members keep their in-flight counts; new ones are watched for their exit.
   * Returns true if the list held a member known to have exited.
   */
  #adopt(refs: ActorRef[]): boolean {
    let stale = false;
    const old = new Map(this.#s.list.map((m) => [m.ref.id, m]));
    const list: Member[] = [];
    for (const ref of refs) {
      const known = old.get(ref.id);
      if (known?.gone === true) {
        stale = true; // listed, but we know it has exited: its restart comes later
        continue;
      }
      if (known !== undefined) {
        list.push(known);
        continue;
      }
      const m: Member = { ref, busy: 0, gone: false };
      list.push(m);
      if (ref.thread !== this.#runtime.thread) void awaitExit(this.#runtime, ref).then(() => this.#lost(m));
    }
    this.#s.list = list;
    return stale;
  }

  #noMember(): NoSuchActorError {
    return new NoSuchActorError(
      this.ref,
      `call a member of the pool (it has stopped, or gave up after too many member restarts):`,
    );
  }
}

/**
 * A pool's proxy: the class's methods, typed, each a call to one member picked by the strategy; `call`,
 * `cast`, `broadcast`, `members()`, `stop()`, and `ref` (the pool's supervisor).
 */
export type PoolProxy<T = unknown> = PoolProxyBase & TypedMethods<PoolProxyBase, T>;

/** `x instanceof PoolProxy` tells a pool's proxy. */
export const PoolProxy = PoolProxyBase;

// Error messages name it, and say how to get one actor from it (see oneActorAdvice).
Object.defineProperty(PoolProxyBase.prototype, PROXY_KIND, { value: 'PoolProxy' });

class FunctionPoolProxy extends PoolProxyBase {
  invoke(...args: unknown[]): Promise<unknown> {
    return this[CALL_POOL]('invoke', args, NO_KWARGS, undefined, 0);
  }
}

const poolClasses = new WeakMap<ClassInfo, typeof PoolProxyBase>();

function poolClassFor(info: ClassInfo): typeof PoolProxyBase {
  let cls = poolClasses.get(info);
  if (cls !== undefined) return cls;
  cls = class extends PoolProxyBase {};
  Object.defineProperty(cls, 'name', { value: 'PoolProxy' });
  // call, cast, broadcast, stop… keep their pool meaning
  defineHandlerMethods(
    cls.prototype,
    PoolProxyBase.prototype,
    info,
    (tag) =>
      function (this: PoolProxyBase, ...args: unknown[]) {
        return this[CALL_POOL](tag, args, NO_KWARGS, undefined, 0);
      },
  );
  poolClasses.set(info, cls);
  return cls;
}

/**
 * @internal Starts a pool on `rt` (`pool()` and `runtime.pool()`): checks the target and options (rejects
 * NotAnActorError, InvalidArgumentError, InvalidOptionError, NotImportableError), starts the supervisor on
 * this thread and its members over the worker threads, and resolves with the typed proxy once all have started.
 */
export async function startPool(
  rt: Runtime,
  target: unknown,
  options: PoolOptions,
  args: unknown[],
): Promise<PoolProxyBase> {
  const fn = 'pool(actor, options, ...args)';
  const name = checkTarget(target); // NotAnActorError for what spawn refuses
  const isClass = typeof target === 'function' && (target as Function).prototype instanceof Actor;
  if (!isClass && !(target instanceof FunctionActor)) {
    throw new InvalidArgumentError(
      `${fn}: the members must be an Actor subclass or a functionActor(fn) (got ${describeType(target)}); ` +
        'a plain function actor runs a recv() loop on the spawning thread: spawn those one by one',
    );
  }
  checkKnownOptions(options, 'pool options', POOL_OPTIONS);
  const { size, strategy = 'round-robin', intensity = size, period = 5000 } = options;
  checkOption(
    Number.isInteger(size) && size >= 1 && size <= MAX_SIZE,
    'pool options.size',
    `must be a whole number from 1 to ${MAX_SIZE}`,
    size,
  );
  checkOption(
    STRATEGIES.includes(strategy),
    'pool options.strategy',
    `must be one of ${STRATEGIES.join(', ')}`,
    strategy,
  );
  checkOption(
    Number.isInteger(intensity) && intensity >= 0,
    'pool options.intensity',
    'must be a whole number >= 0',
    intensity,
  );
  const problem = timeoutProblem(period);
  checkOption(
    problem === undefined && period > 0,
    'pool options.period',
    'must be more than 0 ms and at most 2^31 − 1, or Infinity',
    period,
  );
  if (rt.fabricThreads().length > 0 && !isImportable(target as object)) descriptorOf(target as object, name);
  const children = Array.from({ length: size }, (_, i) => ({
    id: `${MEMBER}${i}`,
    actor: target as SpawnTarget,
    args,
  }));
  const sup = rt.spawnWith({ thread: 'local' }, PoolSupervisor, {
    strategy: 'one_for_one',
    intensity,
    period,
    children,
  });
  const failed = await whenStarted(rt, sup.ref);
  if (failed !== undefined) {
    throw failed instanceof Error ? failed : new ActorExitedError(failed, sup.ref, 'failed to start');
  }
  const infos = (await sup.whichChildren()) as ChildInfo[];
  const refs = infos.filter((c) => c.ref !== undefined).map((c) => c.ref!);
  const ProxyClass =
    target instanceof FunctionActor ? FunctionPoolProxy : poolClassFor(classInfo(target as Function, Actor));
  return new ProxyClass(rt, sup.ref, size, strategy, refs);
}

poolStarter.start = startPool;
