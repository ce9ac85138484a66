/**
 * What a TC39 standard `@handles` decorator leaves behind. A standard method decorator sees the method's
 * function and a context, never the class (and `context.metadata` is absent where `Symbol.metadata` is, as
 * on Node 20 and 22 with tsc's output), so it marks the function itself; the class's handler table and its
 * module are worked out once per class, on first use, from the marked functions on its prototype chain.
 */
import type { CallSiteInfo } from './module-url.js';

/** @internal A method marked by a standard `@handles(tag)`. */
export interface Mark {
  readonly tag: string;
  /** Where the decorator was written (the class's module), if known. */
  readonly site: CallSiteInfo | undefined;
}

/** @internal Marked method functions (the function objects the class's prototype holds). */
export const marks = new WeakMap<Function, Mark>();

/** @internal The mark of `proto`'s own method `key`, if it is a marked function. */
export function ownMark(proto: object, key: string): Mark | undefined {
  const d = Object.getOwnPropertyDescriptor(proto, key);
  return d !== undefined && typeof d.value === 'function' ? marks.get(d.value as Function) : undefined;
}

/**
 * @internal Where a class whose own methods carry standard `@handles` marks was defined (the site of its
 * first marked method), or undefined. Legacy decorators record the class itself when they run.
 */
export function markedSite(cls: object): CallSiteInfo | undefined {
  if (typeof cls !== 'function') return undefined;
  const proto = (cls as { prototype?: unknown }).prototype;
  if (proto === null || typeof proto !== 'object') return undefined;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor') continue;
    const site = ownMark(proto, key)?.site;
    if (site !== undefined) return site;
  }
  return undefined;
}
