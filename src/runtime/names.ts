/**
 * Registered names: `register(name, ref)` is unique per runtime (across all its threads); a name dies with
 * its actor (released before its exit signals go out); an actor holds at most one name, as in Erlang.
 * The directory lives on the main thread. The thread an actor runs on is the authority on whether it is
 * alive, so a name held by an actor on another thread is checked with that thread before it is trusted:
 * a holder that has exited is never returned and never blocks a new registration, even if its release
 * is still on its way.
 */
import { isGeneratorFunction } from 'node:util/types';
import { Actor, isForeignClass } from '../actors/actor.js';
import type { Cell } from '../actors/cell.js';
import { FunctionActor } from '../actors/function-actor.js';
import { load } from '../actors/importable.js';
import { ProxyBase } from '../actors/proxy.js';
import {
  InvalidArgumentError,
  NameTakenError,
  NoSuchActorError,
  WrongActorClassError,
} from '../core/errors.js';
import { ActorRef, ReplyRef } from '../core/ref.js';
import { describeType, oneActorAdvice } from '../core/validate.js';
import type { Found, Liveness } from '../router/signal.js';
import { REMOTE_BASE } from '../router/transport.js';
import type { Runtime } from './runtime.js';

/**
 * @internal A name is a non-empty string; anything else is the caller's mistake, named at once with
 * InvalidArgumentError (`call` names the function, e.g. 'whereis(name)').
 */
export function checkName(name: unknown, call: string): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(
      `${call}: the name must be a non-empty string, such as 'db' (got ${describeType(name)})`,
    );
  }
}

/**
 * @internal The ref of the actor `register` was given (an ActorProxy or an ActorRef); InvalidArgumentError for
 * anything else, a reply address included (as for link, monitor and send).
 */
export function refToRegister(actor: unknown, call: string): ActorRef {
  const ref = actor instanceof ProxyBase ? actor.ref : actor;
  if (ref instanceof ActorRef && !(ref instanceof ReplyRef)) return ref;
  const advice = oneActorAdvice(actor, '');
  throw new InvalidArgumentError(
    `${call}: the actor must be an ActorProxy or an ActorRef, such as what spawn() returns ` +
      `(got ${ref instanceof ReplyRef ? "a call's reply address (ReplyRef)" : describeType(actor)})` +
      (advice === '' ? '' : `; ${advice}`),
  );
}

/** @internal */
export class Registry {
  private readonly byName = new Map<string, ActorRef>();
  private readonly byId = new Map<number, string>();

  constructor(private readonly rt: Runtime) {}

  /** The directory lives on the main thread; the others ask it. */
  private get remote(): boolean {
    return this.rt.thread !== 0;
  }

  get size(): number {
    return this.remote ? 0 : this.byName.size;
  }

  /** Actors holding a name (equal to `size` unless an entry was left behind). */
  get ids(): number {
    return this.remote ? 0 : this.byId.size;
  }

  async register(name: string, ref: ActorRef): Promise<void> {
    checkName(name, 'register(name, actor)');
    if (this.remote) {
      await this.rt.router.request(0, { q: 'register', name, ref });
      return;
    }
    if (this.rt.cluster !== undefined) await this.rt.whenJoined(); // the cluster's names, once joined
    const holder = this.byName.get(name);
    if (holder !== undefined && (await this.alive(holder)).alive && this.byName.get(name) === holder) {
      throw new NameTakenError(name, holder);
    }
    const own = this.byId.get(ref.id);
    if (own !== undefined && own !== name) {
      throw new NameTakenError(
        name,
        ref,
        `${ref} is already registered as '${own}'; an actor holds one name: unregister('${own}') first`,
      );
    }
    const table = this.rt.cluster?.names;
    if (table !== undefined && ref.thread >= REMOTE_BASE) {
      // An actor of another node is registered by its node (which learns when it exits).
      await this.rt.router.request(table.mainOf(ref.thread), { q: 'register', name, ref });
      return;
    }
    const liveness = await this.alive(ref);
    if (!liveness.alive) throw new NoSuchActorError(ref, 'register');
    if (table !== undefined) {
      let other = await table.claim(name, ref, liveness.target);
      // A holder this node still takes for alive may be on a node others have found lost: ask its node (a
      // lost node's answer is 'not alive' once this node finds it lost too), then claim again.
      if (other !== undefined && !other.equals(ref) && !(await this.alive(other)).alive) {
        other = await table.claim(name, ref, liveness.target);
      }
      if (other !== undefined && !other.equals(ref)) {
        throw new NameTakenError(
          name,
          other,
          `the name '${name}' is already registered to ${other}, on node ${this.rt.cluster!.nodeOfPlace(other.thread)} ` +
            '(names are cluster-wide); unregister it first, or pick another name',
        );
      }
    }
    if (holder !== undefined) this.byId.delete(holder.id);
    this.byName.set(name, ref);
    this.byId.set(ref.id, name);
    this.mark(ref, name);
  }

  async unregister(name: string): Promise<boolean> {
    if (this.remote) return this.rt.router.request(0, { q: 'unregister', name });
    if (this.rt.cluster !== undefined) await this.rt.whenJoined();
    const holder = this.byName.get(name);
    if (holder === undefined) {
      // Held on another node: that node unregisters it.
      const table = this.rt.cluster?.names;
      const found = table?.lookup(name);
      if (table === undefined || found === undefined || found.ref.thread < REMOTE_BASE) return false;
      return this.rt.router.request(table.mainOf(found.ref.thread), { q: 'unregister', name });
    }
    this.byName.delete(name);
    this.byId.delete(holder.id);
    this.rt.cluster?.names?.release(name, holder);
    this.mark(holder, undefined);
    return true;
  }

  /** The live holder of `name` and, for one on another thread, what to import for a typed proxy. */
  async whereis(name: string): Promise<Found | undefined> {
    if (this.remote) return this.rt.router.request(0, { q: 'whereis', name });
    if (this.rt.cluster !== undefined) await this.rt.whenJoined();
    const table = this.rt.cluster?.names;
    // Another node's name: from the cache, or (registered a moment ago) from the table itself.
    const holder =
      this.byName.get(name) ??
      (table === undefined ? undefined : (table.lookup(name) ?? (await table.fetch(name)))?.ref);
    if (holder === undefined) return undefined;
    const { alive, target } = await this.alive(holder);
    if (!alive) {
      this.drop(name, holder.id);
      return undefined;
    }
    return { ref: holder, target };
  }

  /** Called as `cell` exits, before its exit signals. */
  release(cell: Cell): void {
    const name = cell.name;
    if (name === undefined) return;
    cell.name = undefined;
    if (this.remote)
      void this.rt.router.request(0, { q: 'release', name, id: cell.id }).catch(() => undefined);
    else this.drop(name, cell.id);
  }

  /** Names held by actors of a lost thread. */
  dropThread(thread: number): void {
    for (const [name, ref] of this.byName) if (ref.thread === thread) this.drop(name, ref.id);
  }

  clear(): void {
    this.byName.clear();
    this.byId.clear();
  }

  /** A typed proxy for what whereis found (the class is imported on this thread if it runs elsewhere). */
  async proxyFor(found: Found): Promise<unknown> {
    if (found.target !== undefined && this.rt.cellOf(found.ref) === undefined) {
      try {
        return this.rt.proxyForTarget(found.ref, await load(found.target));
      } catch {
        // Not importable here: an untyped proxy still has call, cast and send.
      }
    }
    return this.rt.proxy(found.ref);
  }

  /**
   * `whereis(name, cls)`: a proxy typed after `cls` if the holder is a `cls` (or a subclass of it); else
   * WrongActorClassError. The holder's class is known on its own thread, and imported here from its
   * module when it runs on another thread; only when that fails (or it cannot be imported: a class kept on
   * the main thread) are the names compared, the holder's ref carrying its class's name.
   */
  async proxyAs(name: string, found: Found, cls: object): Promise<ProxyBase> {
    const cell = this.rt.cellOf(found.ref);
    let actual: unknown = cell?.target;
    if (cell === undefined && found.target !== undefined) {
      try {
        actual = await load(found.target);
      } catch {
        // Not importable here: the names are all there is to compare.
      }
    }
    const expected = targetName(cls);
    if (actual === undefined ? found.ref.name !== expected : !isA(actual, cls)) {
      const actualName = actual === undefined ? found.ref.name : targetName(actual as object);
      throw new WrongActorClassError(name, expected, actualName, found.ref);
    }
    return cell === undefined ? this.rt.proxyForTarget(found.ref, cls) : this.rt.proxyOf(cell);
  }

  /** Forgets `name` if actor `id` still holds it (its release). */
  drop(name: string, id: number): undefined {
    const holder = this.byName.get(name);
    if (holder?.id !== id) return;
    this.byName.delete(name);
    this.byId.delete(id);
    this.rt.cluster?.names?.release(name, holder);
    return undefined;
  }

  private mark(ref: ActorRef, name: string | undefined): void {
    this.rt.router.route({ kind: 'named', to: ref, name });
  }

  /** Asks the holder's thread (the authority on whether it is alive); a lost thread says no. */
  private alive(ref: ActorRef): Promise<Liveness> {
    return this.rt.router.request(ref.thread, { q: 'alive', to: ref });
  }
}

/** Is an actor made from `actual` a `cls`: the same class, function or functionActor, or a subclass? */
function isA(actual: unknown, cls: object): boolean {
  return (
    actual === cls ||
    (typeof actual === 'function' && typeof cls === 'function' && actual.prototype instanceof cls)
  );
}

/** The name refs carry for a spawn target (as checkTarget gives it). */
function targetName(target: object): string {
  if (target instanceof FunctionActor) return target.name;
  const name = (target as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : 'anonymous';
}

/**
 * @internal The class that types a proxy, for `whereis(name, cls)` (`functions`: true) and `named(name, cls)`:
 * an Actor subclass or a functionActor, and for whereis also a function of the program's own (a function
 * actor spawned as it is). InvalidArgumentError for anything else (Actor itself, a class that does not
 * extend Actor, a built-in, bound or generator function), before any lookup.
 */
export function checkProxyClass(cls: unknown, call: string, functions: boolean): void {
  if (cls instanceof FunctionActor) return;
  let got = describeType(cls);
  if (typeof cls === 'function') {
    if (cls.prototype instanceof Actor) return;
    const source = Function.prototype.toString.call(cls);
    if (cls === Actor) got = 'Actor itself: pass the subclass the actor was spawned from';
    else if (isForeignClass(cls, source))
      got = `the class ${cls.name || '(anonymous)'}, which does not extend Actor`;
    else if (source.endsWith('[native code] }')) got = `the built-in function ${cls.name || '(anonymous)'}`;
    else if (isGeneratorFunction(cls)) got = `the generator function ${cls.name || '(anonymous)'}`;
    else if (functions) return;
  }
  throw new InvalidArgumentError(
    functions
      ? `${call}: cls must be the actor's class (an Actor subclass), its function or its functionActor, to ` +
          `type the proxy and check the actor is one, or left out for an untyped proxy (got ${got})`
      : `${call}: cls must be the actor's class (an Actor subclass) or its functionActor, to type the proxy, ` +
          `or left out (got ${got})`,
  );
}
