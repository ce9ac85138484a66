/**
 * @internal How Parley's values print: actor ids a person can read and compare, and errors without the
 * runtime internals they point at. Nothing here runs on the message path: printing is on demand.
 *
 * `util.inspect.custom` is reached by its registered symbol, so this module (loaded everywhere) needs no
 * `node:util` import; Node passes its `inspect` function to the hook.
 */

/** Node's `util.inspect.custom`. */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/**
 * How many ids one thread can hand out: an id is `thread * ID_SPACE + n`, where `thread` is the thread
 * that handed it out (the spawning thread, not necessarily the one the actor runs on) and `n` counts up
 * from 1 (`router/links.ts` makes monitor refs the same way).
 */
export const ID_SPACE = 2 ** 32;

/**
 * An actor id as people read it: `42` for an id the main thread handed out, `2.42` for thread 2's 42nd,
 * `web-1.42` for the 42nd that another node's main thread handed out (`place` names places in a cluster).
 */
export function idText(id: number, place?: (p: number) => string): string {
  if (place === undefined && id >= 0 && id < ID_SPACE) return String(id);
  const t = Math.floor(id / ID_SPACE);
  return `${place === undefined ? t : place(t)}.${id - t * ID_SPACE}`;
}

/**
 * An actor as people read it, everywhere (toString, inspect, error messages, the logger, the tree):
 * `<Account#42>` on the main thread, `<Account#42@1>` on worker thread 1, `<Account#2.42@1>` for the
 * 42nd id thread 2 handed out, on thread 1; in a cluster `<Account#web-1.42@web-2/1>` (the 42nd id
 * web-1's main thread handed out, running on web-2's thread 1), the same text on every node. `name` is the class or function name (`actor` when it is not
 * known where the ref was made).
 */
export function refText(name: string, id: number, thread: number, place?: (p: number) => string): string {
  // In a cluster every place is named (`web-1`, `web-1/2`), so an actor prints the same on every node.
  if (place !== undefined) return `<${name}#${idText(id, place)}@${place(thread)}>`;
  return `<${name}#${idText(id)}${thread === 0 ? '' : `@${thread}`}>`;
}

/** The name a ref gets where the actor's name is not known (a ref rebuilt from a bare id). */
export const UNNAMED = 'actor';

// ---- stacks ----

/** Where Parley's own modules live (src/ under tsx, dist/ compiled): their frames are hidden in prints. */
const ROOTS: string[] = rootsOf(import.meta.url);

function rootsOf(here: string): string[] {
  try {
    const url = new URL('../', here); // this file is <root>/core/inspect.(ts|js)
    if (url.protocol !== 'file:') return [url.href];
    const path = decodeURIComponent(url.pathname);
    const roots = [url.href, path];
    // Windows: /C:/x/ is C:\x\ in stacks.
    if (/^\/[A-Za-z]:\//.test(path)) roots.push(path.slice(1).replaceAll('/', '\\'));
    return roots;
  } catch {
    return [];
  }
}

function isHidden(frame: string): boolean {
  if (frame.includes('node:internal/') || frame.includes('(node:')) return true;
  for (const root of ROOTS) if (frame.includes(root)) return true;
  return false;
}

/**
 * The stack a person needs: the frames outside Parley and Node's internals, then one line that counts
 * the frames left out (`err.stack` keeps them all). `stack` is an error's `stack`; the header (name and
 * message) is not included. `max` caps the frames shown.
 */
export function usefulFrames(stack: unknown, max = Infinity): string[] {
  if (typeof stack !== 'string') return [];
  const lines = stack.split('\n');
  const first = lines.findIndex((l) => /^\s+at /.test(l));
  if (first < 0) return [];
  const shown: string[] = [];
  let hidden = 0;
  let more = 0;
  for (let i = first; i < lines.length; i++) {
    const line = lines[i]!;
    if (!/^\s+at /.test(line)) continue;
    if (isHidden(line)) hidden++;
    else if (shown.length >= max) more++;
    else shown.push(`    ${line.trimStart()}`);
  }
  if (more > 0) shown.push(`    … ${more} more frame${more === 1 ? '' : 's'}`);
  if (hidden > 0) {
    shown.push(`    … ${hidden} frame${hidden === 1 ? '' : 's'} inside parley-actors or node not shown`);
  }
  return shown;
}

/**
 * The stack with Parley's and Node's internal frames counted, not shown (for the logger); undefined when
 * no frame is left (the error is about Parley's own code: its whole stack is what helps then).
 */
export function usefulStack(err: Error): string | undefined {
  const frames = usefulFrames(err.stack);
  if (frames.length === 0 || frames[0]!.startsWith('    …')) return undefined;
  return [headerOf(err), ...frames].join('\n');
}

function headerOf(err: Error): string {
  let name: unknown;
  let message: unknown;
  let code: unknown;
  try {
    name = err.name;
    message = err.message;
    code = (err as { code?: unknown }).code;
  } catch {
    // a getter that throws: keep what was read
  }
  const tag = typeof code === 'string' && code !== '' ? ` [${code}]` : '';
  return `${String(name ?? 'Error')}${tag}: ${String(message ?? '')}`;
}

// ---- errors ----

type Inspect = (value: unknown, options?: object) => string;

/** One line for an error inside another's print: `TypeError: boom`. */
function errorLine(err: Error): string {
  try {
    return headerOf(err).split('\n', 1)[0]!;
  } catch {
    return 'an error that cannot be shown';
  }
}

/**
 * `util.inspect` of a Parley error: `Name [code]: message`, the useful frames, then its fields (`actor`
 * as `<Account#42@1>`, `reason`, `tag`…) shallowly, and its `cause` summarised: never the cells, runtimes
 * or threads its refs point at.
 */
export function inspectError(err: Error, depth: number, options: object, inspect: Inspect): string {
  if (depth < 0) return `[${errorLine(err)}]`;
  const lines = [headerOf(err), ...usefulFrames(err.stack, 10)];
  const fields: string[] = [];
  const short = {
    ...options,
    depth: 1,
    breakLength: Number.POSITIVE_INFINITY,
    maxArrayLength: 10,
    maxStringLength: 200,
  };
  const show = (v: unknown): string =>
    v instanceof Error ? `[${errorLine(v)}]` : typeof inspect === 'function' ? inspect(v, short) : String(v);
  const actor = (err as { actor?: unknown }).actor;
  if (actor !== undefined) fields.push(`actor: ${show(actor)}`);
  for (const key of Object.keys(err)) {
    if (key === 'code' || key === 'actor' || key === 'stack' || key === 'message') continue;
    let v: unknown;
    try {
      v = (err as unknown as Record<string, unknown>)[key];
    } catch {
      v = '(a getter that throws)';
    }
    fields.push(`${key}: ${show(v)}`);
  }
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined) {
    if (cause instanceof Error) {
      const frames = usefulFrames(cause.stack, 3).map((f) => `  ${f}`);
      fields.push([`[cause]: ${errorLine(cause)}`, ...frames].join('\n'));
    } else fields.push(`[cause]: ${show(cause)}`);
  }
  if (fields.length > 0) lines.push(`  ${fields.join('\n').replaceAll('\n', '\n  ')}`);
  return lines.join('\n');
}
