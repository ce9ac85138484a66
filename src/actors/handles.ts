/**
 * `@handles(tag)`: marks an actor method as the handler of a message tag, under either decorator standard.
 *
 * - TypeScript's `experimentalDecorators` (legacy): the decorator gets (prototype, method name, descriptor);
 *   the tag is stored with reflect-metadata on (prototype, method name), and the class's module is recorded
 *   at once.
 * - TC39 standard decorators (no compiler flag; what tsc emits without `experimentalDecorators` and tsx for a
 *   file outside a tsconfig's `include`): the decorator gets (method function, context) and never the class,
 *   so it marks the function (see marks.ts). Misuse is refused at once, from the context; a tag used twice in
 *   one class is refused at once when the compiler gives `context.metadata`, else on the class's first spawn.
 *
 * Either way a scanner walks each class's prototype chain once, on first use, and caches a tag → handler
 * table (dispatch then looks a tag up in that table, nothing more): a subclass inherits its parent's
 * handlers, and a method that overrides a handler keeps its tag, whichever standard compiled either class.
 */
import 'reflect-metadata';
import { DecoratorError } from '../core/errors.js';
import { describeType } from '../core/validate.js';
import { recordSite } from './importable.js';
import { marks, ownMark } from './marks.js';
import { type CallSiteInfo, callerSite } from './module-url.js';

const HANDLES_KEY = 'parley:handles';
const TAGS_KEY = 'parley:tags';
/** Key of a class's own tag → method map in a standard decorator's `context.metadata`, when there is one. */
const TAGS_META = Symbol('parley.tags');

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
 * What `@handles(tag)` returns: a method decorator that works under both TypeScript decorator standards
 * (TC39 standard decorators, which need no compiler flag, and `experimentalDecorators`).
 */
export interface HandlesDecorator {
  /**
   * Applied as a TC39 standard decorator (tsc without `experimentalDecorators`, tsx outside a tsconfig).
   * @typeParam This - the class whose method is decorated.
   * @typeParam Method - the decorated method's type.
   */
  <This, Method extends (this: This, ...args: any) => any>(
    value: Method,
    context: ClassMethodDecoratorContext<This, Method>,
  ): void;
  /** Applied as a legacy decorator (tsc or tsx with `experimentalDecorators`). */
  (target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<any>): void;
}

/** What `@actor()` returns: a class decorator that works under both TypeScript decorator standards. */
export interface ActorDecorator {
  /** Applied as a TC39 standard decorator. */
  <Class extends abstract new (...args: any) => any>(
    value: Class,
    context: ClassDecoratorContext<Class>,
  ): void;
  /** Applied as a legacy decorator (`experimentalDecorators`). */
  (target: Function): void;
}

/** The context a TC39 standard decorator gets (only what Parley reads). */
interface StandardContext {
  readonly kind: string;
  readonly name: string | symbol | undefined;
  readonly static?: boolean;
  readonly private?: boolean;
  readonly metadata?: unknown;
}

/** A standard decorator's second argument is its context object; a legacy one's is a key (or nothing). */
function isStandardContext(x: unknown): x is StandardContext {
  return x !== null && typeof x === 'object' && typeof (x as { kind?: unknown }).kind === 'string';
}

const memberName = (name: unknown): string =>
  typeof name === 'symbol' ? `[${name.toString()}]` : typeof name === 'string' ? name : String(name);

/**
 * Marks a method as the handler of messages tagged `tag`. The method gets the message's positional args;
 * its return value (awaited if a promise) is the reply to a call. Works with TC39 standard decorators (no
 * compiler flag) and with TypeScript's `experimentalDecorators` alike.
 *
 * ```ts
 * class Adder extends Actor {
 *   @handles('add') add(a: number, b: number) { return a + b; }
 * }
 * ```
 * @throws DecoratorError on an empty or non-string tag, on anything but a public instance method (a field,
 * accessor, getter, setter, static, private or symbol-named method, a class), on a second tag for one method,
 * or on a tag handled twice in one class.
 */
export function handles(tag: string): HandlesDecorator {
  if (typeof tag !== 'string' || tag.length === 0) {
    throw new DecoratorError(`@handles(tag) needs a non-empty string tag (got ${describeType(tag)})`);
  }
  const site = callerSite();
  return function handlesDecorator(target: unknown, key: unknown, descriptor?: PropertyDescriptor): void {
    if (isStandardContext(key)) standardHandles(tag, site, target, key);
    else legacyHandles(tag, site, target, key, descriptor);
  } as HandlesDecorator;
}

/** `@handles` applied as a legacy (`experimentalDecorators`) decorator: (prototype, key, descriptor). */
function legacyHandles(
  tag: string,
  site: CallSiteInfo | undefined,
  target: unknown,
  key: unknown,
  descriptor: PropertyDescriptor | undefined,
): void {
  if (key === undefined && typeof target === 'function') {
    throw new DecoratorError(
      `@handles('${tag}') on class ${target.name}: @handles marks a method of an actor class ` +
        '(to record the module of a class without handlers of its own, use @actor())',
    );
  }
  if (target === null || (typeof target !== 'object' && typeof target !== 'function')) {
    throw new DecoratorError(`@handles('${tag}') was applied to ${describeType(target)}: decorate a method`);
  }
  const cls = typeof target === 'function' ? target : (target as { constructor?: Function }).constructor;
  const where = `${cls?.name ?? '?'}.${memberName(key)}`;
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
  const first = Reflect.getOwnMetadata(HANDLES_KEY, target, key) as string | undefined;
  if (first !== undefined) throw twoTags(tag, `${where}()`, first);
  let own = Reflect.getOwnMetadata(TAGS_KEY, target) as Map<string, string> | undefined;
  if (own === undefined) {
    own = new Map();
    Reflect.defineMetadata(TAGS_KEY, own, target);
  }
  const other = own.get(tag);
  if (other !== undefined && other !== key) throw handledTwice(tag, cls?.name ?? 'one class', other, key);
  own.set(tag, key);
  Reflect.defineMetadata(HANDLES_KEY, tag, target, key);
  if (cls !== undefined) recordSite(cls, site);
}

/**
 * `@handles` applied as a TC39 standard decorator: (method, context). The class is not known yet, so the
 * method function is marked; classInfo() and the importability check read the marks on first use.
 */
function standardHandles(
  tag: string,
  site: CallSiteInfo | undefined,
  value: unknown,
  context: StandardContext,
) {
  const name = memberName(context.name);
  if (context.kind === 'class') {
    throw new DecoratorError(
      `@handles('${tag}') on class ${name}: @handles marks a method of an actor class ` +
        '(to record the module of a class without handlers of its own, use @actor())',
    );
  }
  if (context.kind !== 'method') {
    throw new DecoratorError(
      `@handles('${tag}') on the ${context.static ? 'static ' : ''}${context.kind} ${name}, which is not a ` +
        'method; decorate a method: handles(tag) marks message handlers',
    );
  }
  if (context.static === true) {
    throw new DecoratorError(`@handles('${tag}') on static method ${name}: decorate an instance method`);
  }
  if (typeof context.name !== 'string') {
    throw new DecoratorError(`@handles('${tag}') on a symbol-named method ${name}: use a string name`);
  }
  if (context.private === true) {
    throw new DecoratorError(
      `@handles('${tag}') on the private method ${name}: messages reach a handler by its name, so it must ` +
        'be a public method (drop the #)',
    );
  }
  if (typeof value !== 'function') {
    throw new DecoratorError(`@handles('${tag}') on ${name}, which is not a method; decorate a method`);
  }
  const first = marks.get(value);
  if (first !== undefined) throw twoTags(tag, `${name}()`, first.tag);
  const metadata = context.metadata;
  if (metadata !== null && typeof metadata === 'object') {
    // The compiler gives this class's metadata object (esbuild/tsx always; tsc where Symbol.metadata
    // exists): one tag per class is checked now. Without it, classInfo() checks it on first use.
    const bag = metadata as { [TAGS_META]?: Map<string, string> };
    let own = Object.hasOwn(bag, TAGS_META) ? bag[TAGS_META] : undefined;
    if (own === undefined) {
      own = new Map();
      Object.defineProperty(bag, TAGS_META, { value: own });
    }
    const other = own.get(tag);
    if (other !== undefined && other !== context.name)
      throw handledTwice(tag, 'one class', other, context.name);
    own.set(tag, context.name);
  }
  marks.set(value, { tag, site });
}

function twoTags(tag: string, method: string, first: string): DecoratorError {
  return new DecoratorError(
    `@handles('${tag}') on ${method}, which already handles '${first}': a method handles one tag ` +
      '(give each tag a method of its own)',
  );
}

function handledTwice(tag: string, where: string, first: string, second: string): DecoratorError {
  return new DecoratorError(
    `tag '${tag}' is handled twice in ${where}: by ${first}() and ${second}(); ` +
      'each tag needs exactly one handler per class',
  );
}

const cache = new WeakMap<Function, ClassInfo>();

/**
 * The tag of method `key` as `top` sees it: that of the nearest prototype (from `top` up) that decorated its
 * own `key`, with either standard; a method overriding a handler without a decorator keeps its tag.
 */
function tagOf(top: object, key: string): string | undefined {
  for (let p: object | null = top; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const legacy = Reflect.getOwnMetadata(HANDLES_KEY, p, key) as string | undefined;
    if (legacy !== undefined) return legacy;
    const mark = ownMark(p, key);
    if (mark !== undefined) return mark.tag;
  }
  return undefined;
}

/** Refuses a tag that two of `proto`'s own methods handle (standard decorators without metadata). */
function checkOwnTags(cls: Function, proto: object): void {
  let seen: Map<string, string> | undefined;
  for (const key of Object.getOwnPropertyNames(proto)) {
    const mark = ownMark(proto, key);
    if (mark === undefined) continue;
    seen ??= new Map();
    const other = seen.get(mark.tag);
    if (other !== undefined) {
      const owner = (proto as { constructor?: Function }).constructor?.name || cls.name;
      throw handledTwice(mark.tag, owner, other, key);
    }
    seen.set(mark.tag, key);
  }
}

/** @internal Scans `cls` (once; cached) up to, not including, `base`. */
export function classInfo(cls: Function, base: Function): ClassInfo {
  let info = cache.get(cls);
  if (info !== undefined) return info;
  const handlers = new Map<string, Handler>();
  const methods = new Map<string, string | undefined>();
  const top = cls.prototype as object;
  for (let proto: object | null = top; proto !== null && proto !== base.prototype; ) {
    checkOwnTags(cls, proto);
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (key === 'constructor' || methods.has(key)) continue;
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (d === undefined || typeof d.value !== 'function') continue;
      const tag = tagOf(top, key);
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
 * exported, top-level class: `@actor() export class App extends Supervisor { … }`. Works with TC39 standard
 * decorators and with `experimentalDecorators` alike. Under standard decorators it also lets a worker find
 * a class whose module starts the runtime at its top level (see the README, "Decorators").
 * @throws DecoratorError when applied to anything but a class.
 */
export function actor(): ActorDecorator {
  const site = callerSite();
  return function actorDecorator(value: unknown, context?: unknown): void {
    if (isStandardContext(context)) {
      if (context.kind !== 'class' || typeof value !== 'function') {
        throw new DecoratorError(
          `@actor() on the ${context.kind} ${memberName(context.name)}: @actor() decorates an actor class`,
        );
      }
      // TypeScript calls a standard class decorator's factory inside the class's wrapper function: the site
      // where the decorator is applied says better whether the class is at its module's top level.
      recordSite(value, callerSite() ?? site);
      return;
    }
    if (typeof value !== 'function' || context !== undefined) {
      const where =
        typeof context === 'string' || typeof context === 'symbol'
          ? ` on the member ${memberName(context)}`
          : '';
      throw new DecoratorError(`@actor()${where}: @actor() decorates an actor class`);
    }
    recordSite(value, site);
  } as ActorDecorator;
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
