/**
 * JSON for recordings: any message value becomes a JSON line, whatever it holds (refs as
 * `{actor, name, thread}`, errors with name/message/stack, bigints as strings, cycles marked), and writing
 * it never throws into the program. What cannot be recorded is written as a placeholder that says why,
 * `{"$unrecordable": "<why>"}`:
 * - a `toJSON` or a getter that throws ("toJSON threw TypeError: boom", "reading 'x' threw Error: …"),
 * - a Proxy (revoked or not: its traps are user code, never run for a recording),
 * - nesting deeper than `MAX_DEPTH` levels ("too deep: over 200 levels"),
 * - a value that would make the line longer than `MAX_LINE` characters ("too large: …"): the program's
 *   values are measured (placeholders, separators and the event's own keys are not), and the event's fields
 *   and their elements (`args[0]`) are replaced one by one, so one huge argument does not take the others.
 * The walk is our own (not `JSON.stringify`'s), so that each of these is caught where it happens and only
 * that value is replaced.
 */
import { isProxy, isTypedArray } from 'node:util/types';

/** Levels of nesting a line keeps (the event itself is level 0); deeper values are a placeholder. */
export const MAX_DEPTH = 200;

/** The longest line, in characters (64 Mi): a value that would go past it is a placeholder. */
export const MAX_LINE = 64 * 1024 * 1024;

/** Values up to this level (the event's fields and their elements: `args[0]`) are replaced one by one when too large. */
const SEPARATELY_REPLACED = 2;

/** The longest description of a thrown error in a placeholder. */
const MAX_WHY = 300;

/** Thrown inside the walk when the line gets too long; caught at a separately replaced value. */
const TOO_LARGE: unique symbol = Symbol('too large');

/** What `read` returns when reading threw (the error is in `LineWriter.thrown`). */
const THREW: unique symbol = Symbol('threw');

/** @internal Stringifies `value` as one JSON line without ever throwing (see the module's comment). */
export function safeJson(value: unknown, maxLength: number = MAX_LINE): string {
  const w = new LineWriter(maxLength);
  try {
    w.value(value, '', 0, true);
    return w.out;
  } catch (err) {
    // Only an exhausted stack gets here (every value the program gave is handled where it is).
    return unrecordable(`recording failed: ${describeThrown(err)}`);
  }
}

/** @internal The plain JSON data of `value` as a recording line holds it (for a worker's forwarded events). */
export function recordable(value: unknown): unknown {
  return JSON.parse(safeJson(value));
}

/** @internal A short description of a thrown value, never throwing itself: `TypeError: boom`. */
export function describeThrown(err: unknown): string {
  let text: string;
  try {
    if (typeof err === 'object' && err !== null) {
      if (isProxy(err)) text = 'a Proxy';
      else if (err instanceof Error) text = `${String(err.name)}: ${String(err.message)}`;
      else text = Object.prototype.toString.call(err);
    } else text = typeof err === 'string' ? `'${err}'` : String(err);
  } catch {
    text = 'a value that cannot be described';
  }
  return text.length > MAX_WHY ? `${text.slice(0, MAX_WHY)}…` : text;
}

function unrecordable(why: string): string {
  return `{"$unrecordable":${JSON.stringify(why)}}`;
}

class LineWriter {
  out = '';
  /** Characters of `out` that are placeholders: they do not count against the limit. */
  private free = 0;
  /** What the last `read` that returned THREW threw. */
  private thrown: unknown;
  /** Objects already written: one met again is written as '[Circular]'. */
  private readonly seen = new WeakSet<object>();

  constructor(private readonly max: number) {}

  /** Writes `v` at nesting `level`; `key` is what toJSON gets; `toJSON`: call the value's toJSON. */
  value(v: unknown, key: string, level: number, toJSON: boolean): void {
    if (level > SEPARATELY_REPLACED) return this.any(v, key, level, toJSON);
    const mark = this.out.length;
    const free = this.free;
    try {
      this.any(v, key, level, toJSON);
    } catch (err) {
      if (err !== TOO_LARGE) throw err;
      this.out = this.out.slice(0, mark);
      this.free = free;
      this.placeholder(`too large: the line would be over ${this.max} characters`);
    }
  }

  private any(v: unknown, key: string, level: number, toJSON: boolean): void {
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        return this.put(Number.isFinite(v) ? String(v) : 'null');
      case 'boolean':
        return this.put(v ? 'true' : 'false');
      case 'undefined':
        return this.put('null');
      case 'bigint':
        return this.string(`${v}n`);
      case 'symbol':
        return this.string(String(v));
      case 'function':
        return this.string(`[Function ${functionName(v)}]`);
    }
    if (v === null) return this.put('null');
    this.object(v as object, key, level, toJSON);
  }

  private object(v: object, key: string, level: number, toJSON: boolean): void {
    if (isProxy(v)) return this.placeholder('a Proxy (a recording does not run its traps)');
    if (level > MAX_DEPTH) return this.placeholder(`too deep: over ${MAX_DEPTH} levels`);
    const mark = this.out.length;
    const free = this.free;
    let step = 'reading toJSON';
    try {
      if (toJSON) {
        const f = (v as { toJSON?: unknown }).toJSON;
        if (typeof f === 'function') {
          step = 'toJSON';
          const json: unknown = f.call(v, key);
          return this.any(json, key, level, false);
        }
      }
      if (Array.isArray(v)) return this.array(v, level);
      const proto: unknown = Object.getPrototypeOf(v);
      // A plain object (the common case) is none of the kinds written in their own way.
      const plain = proto === Object.prototype || proto === null;
      if (!plain) {
        if (v instanceof Error) return this.error(v, level);
        if (v instanceof Map) {
          step = 'reading the Map';
          return this.entries('map', v, level);
        }
        if (v instanceof Set) {
          step = 'reading the Set';
          return this.entries('set', v, level);
        }
        if (v instanceof Number || v instanceof String || v instanceof Boolean) {
          step = 'valueOf';
          return this.any(v.valueOf(), key, level, false);
        }
      }
      if (this.seen.has(v)) return this.string('[Circular]');
      this.seen.add(v);
      step = 'listing its keys';
      if (!plain && isTypedArray(v)) return this.typedArray(v as unknown as ArrayLike<unknown>, level);
      const keys = Object.keys(v);
      this.put('{');
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        // The event's own keys always fit: only the program's values are measured against the limit.
        const quoted = quotedKey(k, i > 0);
        if (level === 0) this.add(quoted);
        else this.put(quoted);
        this.property(v, k, level);
      }
      this.add('}');
    } catch (err) {
      if (err === TOO_LARGE) throw err;
      this.out = this.out.slice(0, mark);
      this.free = free;
      this.placeholder(`${step} threw ${describeThrown(err)}`);
    }
  }

  private array(v: unknown[], level: number): void {
    if (this.seen.has(v)) return this.string('[Circular]');
    this.seen.add(v);
    this.put('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) this.add(',');
      this.property(v, String(i), level);
    }
    this.add(']');
  }

  private typedArray(v: ArrayLike<unknown>, level: number): void {
    this.put('{');
    for (let i = 0; i < v.length; i++) {
      this.put(i > 0 ? `,"${i}":` : `"${i}":`);
      this.any(v[i], String(i), level + 1, true);
    }
    this.add('}');
  }

  /** `{ error, message, code, stack }`. */
  private error(v: Error, level: number): void {
    this.put('{"error":');
    this.property(v, 'name', level);
    this.add(',"message":');
    this.property(v, 'message', level);
    this.add(',"code":');
    this.property(v, 'code', level);
    this.add(',"stack":');
    this.property(v, 'stack', level);
    this.add('}');
  }

  /** `{ map: [[k, v], …] }` or `{ set: [v, …] }`. */
  private entries(kind: 'map' | 'set', v: Map<unknown, unknown> | Set<unknown>, level: number): void {
    this.put(`{"${kind}":[`);
    let i = 0;
    for (const e of v) {
      if (i > 0) this.add(',');
      if (kind === 'set') this.value(e, String(i), level + 2, true);
      else {
        const [k, x] = e as [unknown, unknown];
        this.put('[');
        this.value(k, '0', level + 3, true);
        this.add(',');
        this.value(x, '1', level + 3, true);
        this.add(']');
      }
      i++;
    }
    this.add(']}');
  }

  /** Writes the value of `obj[k]` (a child, one level down): a getter that throws is a placeholder. */
  private property(obj: object, k: string, level: number): void {
    const v = this.read(obj, k);
    if (v === THREW) this.placeholder(`reading '${k}' threw ${describeThrown(this.thrown)}`);
    else this.value(v, k, level + 1, true);
  }

  private read(obj: object, k: string): unknown {
    try {
      return (obj as Record<string, unknown>)[k];
    } catch (err) {
      this.thrown = err;
      return THREW;
    }
  }

  private string(s: string): void {
    // A JSON string is at least 2 longer than the string: too long is known before it is escaped.
    if (this.out.length - this.free + s.length + 2 > this.max) throw TOO_LARGE;
    this.put(JSON.stringify(s));
  }

  /** Appends a value or the opening of one: past the limit, TOO_LARGE. */
  private put(s: string): void {
    this.out += s;
    if (this.out.length - this.free > this.max) throw TOO_LARGE;
  }

  /** Appends a separator or a closing (a few characters per value already measured): never throws. */
  private add(s: string): void {
    this.out += s;
  }

  /** A placeholder does not count against the limit (it replaces a value, and is short). */
  private placeholder(why: string): void {
    const text = unrecordable(why);
    this.out += text;
    this.free += text.length;
  }
}

/** Keys met before, quoted (`"k":`, and `,"k":` after the first): one piece each, made once. */
const keysQuoted = new Map<string, string>();
const keysQuotedAfter = new Map<string, string>();
const MAX_KEYS_QUOTED = 4096;

function quotedKey(k: string, after: boolean): string {
  const cache = after ? keysQuotedAfter : keysQuoted;
  let q = cache.get(k);
  if (q === undefined) {
    q = `${after ? ',' : ''}${JSON.stringify(k)}:`;
    // Short keys only, and not without end (keys made of data, as in a map of ids, are not kept).
    if (k.length <= 64 && cache.size < MAX_KEYS_QUOTED) cache.set(k, q);
  }
  return q;
}

function functionName(f: Function): string {
  try {
    const name = f.name;
    return typeof name === 'string' && name !== '' ? name : 'anonymous';
  } catch {
    return 'anonymous';
  }
}
