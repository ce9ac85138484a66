/**
 * Importability: a worker thread finds an actor's class (or functionActor) by importing the module that
 * defined it and taking the export of that name. `@handles`, `@actor` and `functionActor()` record the
 * module and whether the definition is at the module's top level; the rest is checked at spawn.
 */
import { NotImportableError } from './errors.js';
import type { CallSiteInfo } from './module-url.js';

/** @internal How to find a class or functionActor on another thread. */
export interface Descriptor {
  module: string;
  name: string;
}

const sites = new WeakMap<object, CallSiteInfo>();

/** @internal Records where `target` was defined (first record wins: the most specific decorator runs first). */
export function recordSite(target: object, site: CallSiteInfo | undefined): void {
  if (site !== undefined && !sites.has(target)) sites.set(target, site);
}

/** @internal The descriptor of `target`, or NotImportableError saying what to do. `name`: its export name. */
export function descriptorOf(target: object, name: string): Descriptor {
  const site = sites.get(target);
  if (site === undefined) {
    throw new NotImportableError(
      `${name} cannot be spawned on a worker thread: Parley does not know which module defines it. ` +
        'Give the class at least one @handles method, or decorate it with @actor, and export it from the top ' +
        'level of its module (a functionActor records its module by itself). Or spawn it with ' +
        "{ thread: 'local' } to keep it on this thread.",
    );
  }
  if (!site.topLevel) {
    throw new NotImportableError(
      `${name} is defined inside a function (${site.url}${site.line === null ? '' : `:${site.line}`}), so a ` +
        'worker thread cannot import it: move it to the top level of its module and export it, or spawn it ' +
        "with { thread: 'local' } to keep it on this thread.",
    );
  }
  return { module: site.url, name };
}

/** @internal Whether `target` can be placed on a worker thread. */
export function isImportable(target: object): boolean {
  return sites.get(target)?.topLevel === true;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();
const cache = new Map<string, unknown>();
const keyOf = (d: Descriptor) => `${d.module}#${d.name}`;

/** @internal A target already imported on this thread (the receiver awaits `load` first). */
export function loaded(d: Descriptor): unknown {
  const k = keyOf(d);
  if (!cache.has(k))
    throw new NotImportableError(`${d.name} from ${d.module} was not imported on this thread`);
  return cache.get(k);
}

/** @internal Imports a descriptor's module (once per thread) and returns the named export. */
export async function load(d: Descriptor): Promise<unknown> {
  const k = keyOf(d);
  if (cache.has(k)) return cache.get(k);
  const value = await find(d);
  cache.set(k, value);
  return value;
}

async function find(d: Descriptor): Promise<unknown> {
  let ns = modules.get(d.module);
  if (ns === undefined) {
    ns = import(d.module) as Promise<Record<string, unknown>>;
    modules.set(d.module, ns);
  }
  const exports = await ns;
  if (d.name in exports) return exports[d.name];
  for (const value of Object.values(exports)) {
    if (
      value !== null &&
      (typeof value === 'function' || typeof value === 'object') &&
      (value as { name?: unknown }).name === d.name
    ) {
      return value;
    }
  }
  throw new NotImportableError(
    `${d.name} is not exported by ${d.module}: a worker thread imports actor classes and functionActors ` +
      'by their export name; export it from the top level of that module',
  );
}
