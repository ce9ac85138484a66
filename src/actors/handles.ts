/**
 * `@handles(tag)`: marks an actor method as the handler of a message tag. The tag is stored with
 * reflect-metadata on (prototype, method name), so a subclass that overrides the method keeps handling the
 * tag. A scanner walks each class's prototype chain once and caches a tag → handler table.
 */
import 'reflect-metadata';
import { DecoratorError } from '../core/errors.js';
import { recordSite } from './importable.js';
import { callerSite } from './module-url.js';

const HANDLES_KEY = 'parley:handles';
const TAGS_KEY = 'parley:tags';

/** @internal One entry of a class's handler table. */
export interface Handler {
  readonly key: string;
  readonly fn: (...args: unknown[]) => unknown;
  /** Declared `async`: its awaits need the actor context carried across them. */
  readonly isAsync: boolean;
}

/** @internal What the runtime knows about an actor class. */
export interface ClassInfo {
  readonly handlers: Map<string, Handler>;
  /** Every method a proxy exposes: name → its tag (undefined: not a handler). */
  readonly methods: Map<string, string | undefined>;
  /**
   * A handler's error goes back to its caller (or to the log, for a cast) and the actor keeps running,
   * instead of crashing it (the class sets `static containsHandlerErrors = true`: the Supervisor does, so
   * a caller's mistake in `startChild(...)` never crashes the supervisor).
   */
  readonly contained: boolean;
  /** The dispatcher's one-entry cache, shared by the class's actors: the last tag looked up, its handler. */
  lastTag: string | undefined;
  lastHandler: Handler | undefined;
}

/** @internal Is `fn` an `async function` (its calls return promises the dispatcher must await)? */
export const isAsyncFunction = (fn: unknown): boolean => fn instanceof AsyncFunction;
const AsyncFunction = (async () => {}).constructor;

/**
 * Marks a method as the handler of messages tagged `tag`. The method gets the message's positional args;
 * its return value (awaited if a promise) is the reply to a call.
 *
 * ```ts
 * class Adder extends Actor {
 *   @handles('add') add(a: number, b: number) { return a + b; }
 * }
 * ```
 * @throws DecoratorError on a non-method, a static method, a tag used twice in one class, or when the
 * compiler emitted a TC39 decorator (enable `experimentalDecorators` in tsconfig.json).
 */
export function handles(tag: string): MethodDecorator {
  if (typeof tag !== 'string' || tag.length === 0) {
    throw new DecoratorError(`@handles(tag) needs a non-empty string tag (got ${String(tag)})`);
  }
  const site = callerSite();
  return function handlesDecorator(target: object, key: string | symbol, descriptor?: PropertyDescriptor) {
    if (typeof key === 'object' && key !== null && 'kind' in (key as Record<string, unknown>)) {
      throw new DecoratorError(
        `@handles('${tag}') was compiled as a TC39 (stage 3) decorator, which Parley does not use: ` +
          'set "experimentalDecorators": true in the tsconfig.json of the directory you run from ' +
          '(tsx reads it from there)',
      );
    }
    const where = `${typeof target === 'function' ? target.name : target.constructor?.name}.${String(key)}`;
    if (typeof target === 'function') {
      throw new DecoratorError(`@handles('${tag}') on static ${where}: decorate an instance method`);
    }
    if (typeof key !== 'string') {
      throw new DecoratorError(`@handles('${tag}') on a symbol-named method ${where}: use a string name`);
    }
    if (descriptor === undefined || typeof descriptor.value !== 'function') {
      throw new DecoratorError(
        `@handles('${tag}') on ${where}, which is not a method (a field, getter or setter); ` +
          'decorate a method: handles(tag) marks message handlers',
      );
    }
    let own = Reflect.getOwnMetadata(TAGS_KEY, target) as Map<string, string> | undefined;
    if (own === undefined) {
      own = new Map();
      Reflect.defineMetadata(TAGS_KEY, own, target);
    }
    const other = own.get(tag);
    if (other !== undefined && other !== key) {
      throw new DecoratorError(
        `tag '${tag}' is handled twice in ${target.constructor.name}: by ${other}() and ${key}(); ` +
          'each tag needs exactly one handler per class',
      );
    }
    own.set(tag, key);
    Reflect.defineMetadata(HANDLES_KEY, tag, target, key);
    recordSite(target.constructor, site);
  } as MethodDecorator;
}

const cache = new WeakMap<Function, ClassInfo>();

/** @internal Scans `cls` (once; cached) up to, not including, `base`. */
export function classInfo(cls: Function, base: Function): ClassInfo {
  let info = cache.get(cls);
  if (info !== undefined) return info;
  const handlers = new Map<string, Handler>();
  const methods = new Map<string, string | undefined>();
  const top = cls.prototype as object;
  for (let proto: object | null = top; proto !== null && proto !== base.prototype; ) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || methods.has(key)) continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (d === undefined || typeof d.value !== 'function') continue;
      const tag = Reflect.getMetadata(HANDLES_KEY, top, key) as string | undefined;
      methods.set(key, tag);
      if (tag !== undefined && !handlers.has(tag)) {
        const fn = (top as Record<string, (...args: unknown[]) => unknown>)[key];
        handlers.set(tag, { key, fn, isAsync: isAsyncFunction(fn) });
      }
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  const contained = (cls as { containsHandlerErrors?: unknown }).containsHandlerErrors === true;
  info = { handlers, methods, contained, lastTag: undefined, lastHandler: undefined };
  cache.set(cls, info);
  return info;
}

/**
 * Records which module defines an actor class that has no `@handles` method of its own, so that worker
 * threads can import it (a class with `@handles` methods records its module by itself). Use it on an
 * exported, top-level class: `@actor() export class App extends Supervisor { … }`.
 */
export function actor(): ClassDecorator {
  const site = callerSite();
  return (cls) => {
    if (typeof cls !== 'function') throw new DecoratorError('@actor() decorates a class');
    recordSite(cls, site);
  };
}

/** @internal */
export const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as any).then === 'function';

/** `fn.apply(self, args)`, without apply's array walk for the common short argument lists (~10 ns less). */
export function invoke(fn: (...a: any[]) => unknown, self: unknown, args: unknown[]): unknown {
  switch (args.length) {
    case 0:
      return fn.call(self);
    case 1:
      return fn.call(self, args[0]);
    case 2:
      return fn.call(self, args[0], args[1]);
    case 3:
      return fn.call(self, args[0], args[1], args[2]);
    default:
      return fn.apply(self, args);
  }
}
