/**
 * @internal Places across a cluster. Inside a node, a place is a thread number (0 to REMOTE_BASE − 1) and
 * ids are `place * ID_SPACE + n`. Another node's thread gets a local alias place (REMOTE_BASE and up),
 * allocated here on the main thread the first time a ref to it arrives or an actor is spawned on it, so
 * the router, refs and ids work unchanged: a ref to an actor of another node is an ordinary ref whose
 * place is an alias, and the router hands signals for alias places to the cluster transport.
 *
 * On the wire (between nodes) a place is the sender's own thread number, or `NodeKey:thread` for any
 * other node's thread (the receiver's own included); an id is a number (the sender's place) or
 * `NodeKey:thread:n`. `toWire` and `fromWire` translate packets in place; everything else is unchanged
 * thread-wire data (wire/codec.ts), so the receiving node handles a packet exactly as its threads do.
 */
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Descriptor } from '../actors/importable.js';
import { ID_SPACE } from '../core/inspect.js';
import { REMOTE_BASE } from '../router/transport.js';
import { TAG } from '../wire/format.js';

export { REMOTE_BASE };

/** Ids stay exact numbers: place * ID_SPACE + n < 2^53. */
const MAX_PLACE = 2 ** 21 - 1;

/** One alias: a thread of another node's incarnation. */
export interface Alias {
  node: string;
  key: string;
  thread: number;
}

export class Places {
  /** Alias places by node incarnation, then by thread. */
  private readonly byKey = new Map<string, number[]>();
  /** Objects met by the current packet's deep walk (reused: emptied after each packet). */
  private readonly seen = new Set<object>();
  private readonly aliases: (Alias | undefined)[] = [];
  /** Alias places of each node incarnation, to report them lost together. */
  private readonly ofNode = new Map<string, number[]>();

  constructor(
    /** This node's NodeKey. */
    readonly self: string,
    /** Module paths under this directory travel relative to it (see `descriptorToWire`). */
    readonly root: string,
  ) {}

  /** The alias place of `thread` of node incarnation `key` (allocated on first use). */
  alias(key: string, thread: number): number {
    // Looked up for every packet that arrives: by key, then by thread (no string built per lookup).
    let threads = this.byKey.get(key);
    if (threads !== undefined) {
      const p = threads[thread];
      if (p !== undefined) return p;
    } else this.byKey.set(key, (threads = []));
    const p = REMOTE_BASE + this.aliases.length;
    if (p > MAX_PLACE) throw new Error('internal: too many remote threads seen (over 2 million)');
    threads[thread] = p;
    this.aliases.push({ node: nodeOf(key), key, thread });
    let list = this.ofNode.get(key);
    if (list === undefined) this.ofNode.set(key, (list = []));
    list.push(p);
    return p;
  }

  /** What alias place `place` stands for, if it is one. */
  lookup(place: number): Alias | undefined {
    return place >= REMOTE_BASE ? this.aliases[place - REMOTE_BASE] : undefined;
  }

  /** Every alias place of node incarnation `key`. */
  placesOf(key: string): readonly number[] {
    return this.ofNode.get(key) ?? [];
  }

  // ---- places and ids on the wire ----

  placeToWire(place: number): number | string {
    if (place < REMOTE_BASE) return place;
    const a = this.aliases[place - REMOTE_BASE]!;
    return `${a.key}:${a.thread}`;
  }

  placeFromWire(w: unknown, from: string): number {
    if (typeof w === 'number') return this.alias(from, w);
    const [key, thread] = splitKey(w, 2);
    return key === this.self ? thread : this.alias(key, thread);
  }

  idToWire(id: number): number | string {
    const place = Math.floor(id / ID_SPACE);
    if (place < REMOTE_BASE) return id;
    return `${this.placeToWire(place)}:${id - place * ID_SPACE}`;
  }

  idFromWire(w: unknown, from: string): number {
    if (typeof w === 'number') {
      // 0 is no actor (a call from outside any actor) on every node.
      if (w === 0) return 0;
      const place = Math.floor(w / ID_SPACE);
      if (!Number.isSafeInteger(w) || w < 0 || place >= REMOTE_BASE) throw new TypeError('bad id');
      return this.alias(from, place) * ID_SPACE + (w - place * ID_SPACE);
    }
    if (typeof w !== 'string') throw new TypeError('bad id');
    const cut = w.lastIndexOf(':');
    const n = Number(w.slice(cut + 1));
    if (cut <= 0 || !Number.isInteger(n) || n < 0 || n >= ID_SPACE) throw new TypeError('bad id');
    return this.placeFromWire(w.slice(0, cut), from) * ID_SPACE + n;
  }

  // ---- descriptors (where an actor class is defined) ----

  /** A module under the root travels as `root:<relative path>`, so nodes may run from different directories. */
  descriptorToWire(d: Descriptor): Descriptor {
    if (!d.module.startsWith('file:')) return d;
    const path = fileURLToPath(d.module);
    const rel = relative(this.root, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return d;
    return { module: `root:${rel.split(sep).join('/')}`, name: d.name };
  }

  descriptorFromWire(d: Descriptor): Descriptor {
    if (typeof d.module !== 'string' || !d.module.startsWith('root:')) return d;
    const rel = d.module.slice(5);
    if (rel.split('/').includes('..')) throw new TypeError(`module path ${rel} leaves the cluster root`);
    return { module: pathToFileURL(join(this.root, ...rel.split('/'))).href, name: d.name };
  }

  // ---- packets ----

  /**
   * Rewrites a thread-wire packet (local places) for the wire between nodes, in place: every ref, id,
   * monitor ref and class descriptor it holds.
   */
  toWire(p: Record<string, unknown>): void {
    this.packet(p, true, '', true);
  }

  /**
   * The inverse of toWire for a packet that came from node incarnation `from`; throws TypeError on bad
   * data. `mayShare` false: the packet is known to be a tree (decoded from plain msgpack, which can not
   * share an object), so its objects need no tracking.
   */
  fromWire(p: Record<string, unknown>, from: string, mayShare = true): void {
    this.packet(p, false, from, mayShare);
  }

  private id(v: unknown, out: boolean, from: string): number | string {
    return out ? this.idToWire(v as number) : this.idFromWire(v, from);
  }

  /**
   * Translates the fields each op has (a packet from another node was shape-checked by op first; fields
   * its op does not have are never read, so they are left alone). Packets differ in shape: reading only
   * the fields of the op keeps this off slow (megamorphic) property lookups.
   */
  private packet(p: Record<string, unknown>, out: boolean, from: string, mayShare: boolean): void {
    switch (p.op) {
      case 'msg':
        p.to = this.id(p.to, out, from);
        return this.message(p, out, from, mayShare);
      case 'reply':
        return this.message(p, out, from, mayShare);
      case 'link':
      case 'unlink':
        p.to = this.id(p.to, out, from);
        p.from = this.ref(p.from, out, from);
        return;
      case 'demonitor':
        p.to = this.id(p.to, out, from);
        p.mref = this.id(p.mref, out, from);
        return;
      case 'named':
        p.to = this.id(p.to, out, from);
        return;
    }
    this.anyPacket(p, out, from);
  }

  /** A message or reply: its modules, and its sender and args (a plain one has no refs but its sender). */
  private message(p: Record<string, unknown>, out: boolean, from: string, mayShare: boolean): void {
    if (p.load !== undefined) this.loads(p, out);
    const m = p.m;
    if (p.plain === true && Array.isArray(m)) {
      // Primitive args, decoded without a look at them (decodePlain): only the sender, a bare EncodedRef,
      // is translated. (From another node, args that are not primitives stay data: nothing revives them.)
      if (Array.isArray(m[1])) m[1] = this.ref(m[1], out, from);
      return;
    }
    // An object met twice must be translated once. Going out, a message shares objects only if its
    // encoder marked its args as a graph (wire/encode.ts); coming in, only a packet decoded as a graph
    // can (the caller says). A tree is walked without tracking what it met.
    if (out) mayShare = Array.isArray(m) && isGraph(m[2]);
    if (mayShare) this.walkOne(m, out, from);
    else if (m !== null && typeof m === 'object') this.deep(m, out, from, undefined);
  }

  private loads(p: Record<string, unknown>, out: boolean): void {
    if (Array.isArray(p.load)) p.load = p.load.map((d) => this.descriptor(d, out));
  }

  /** Every other packet: each field that may hold a ref, an id or a descriptor. */
  private anyPacket(p: Record<string, unknown>, out: boolean, from: string): void {
    switch (p.op) {
      case 'exit':
      case 'monitor':
      case 'down':
        p.to = this.id(p.to, out, from);
        break;
      case 'spawn':
        p.id = this.id(p.id, out, from);
        if (p.parent !== null) p.parent = this.ref(p.parent, out, from);
        p.target = this.descriptor(p.target, out);
        break;
    }
    if (p.from !== undefined && typeof p.from !== 'number') p.from = this.ref(p.from, out, from);
    if (p.watcher !== undefined) p.watcher = this.ref(p.watcher, out, from);
    if (p.mref !== undefined) p.mref = this.id(p.mref, out, from);
    this.loads(p, out);
    const seen = this.seen;
    try {
      this.walk(p.m, out, from, seen);
      this.walk(p.reason, out, from, seen);
      this.walk(p.args, out, from, seen);
      this.walk(p.body, out, from, seen);
      this.walk(p.value, out, from, seen);
    } finally {
      seen.clear();
    }
  }

  private walkOne(v: unknown, out: boolean, from: string): void {
    if (v === null || typeof v !== 'object') return;
    try {
      this.deep(v, out, from, this.seen);
    } finally {
      this.seen.clear();
    }
  }

  private walk(v: unknown, out: boolean, from: string, seen: Set<object>): void {
    if (v !== null && typeof v === 'object') this.deep(v, out, from, seen);
  }

  private descriptor(d: unknown, out: boolean): Descriptor {
    const x = d as Descriptor;
    return out ? this.descriptorToWire(x) : this.descriptorFromWire(x);
  }

  /** EncodedRef `[id, thread, name, callId?]` with its id and place translated. */
  private ref(r: unknown, out: boolean, from: string): unknown {
    if (!Array.isArray(r) || r.length < 3 || r.length > 4) throw new TypeError('bad ref');
    const c = r.slice();
    if (out) {
      c[0] = this.idToWire(c[0] as number);
      c[1] = this.placeToWire(c[1] as number);
    } else {
      c[0] = this.idFromWire(c[0], from);
      c[1] = this.placeFromWire(c[1], from);
      if (typeof c[2] !== 'string' || (c.length === 4 && typeof c[3] !== 'number')) {
        throw new TypeError('bad ref');
      }
    }
    return c;
  }

  /** Translates tagged refs, proxies and class descriptors anywhere inside an encoded value. */
  /** `seen`: the objects met so far, or undefined for a tree (where none is met twice). */
  private deep(v: object, out: boolean, from: string, seen: Set<object> | undefined): void {
    if (ArrayBuffer.isView(v)) return; // bytes (the commonest leaf): nothing inside
    if (seen !== undefined) {
      if (seen.has(v)) return;
      seen.add(v);
    }
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') this.deep(x, out, from, seen);
      return;
    }
    if (v instanceof Map) {
      for (const [k, x] of v) {
        if (k !== null && typeof k === 'object') this.deep(k, out, from, seen);
        if (x !== null && typeof x === 'object') this.deep(x, out, from, seen);
      }
      return;
    }
    if (v instanceof Set) {
      for (const x of v) if (x !== null && typeof x === 'object') this.deep(x, out, from, seen);
      return;
    }
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return;
    const o = v as Record<string, unknown>;
    if (Object.hasOwn(o, TAG)) {
      switch (o[TAG]) {
        case 'ref':
        case 'proxy':
          o.r = this.ref(o.r, out, from);
          return;
        case 'class':
        case 'fa':
          o.d = this.descriptor(o.d, out);
          return;
      }
    }
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (x !== null && typeof x === 'object') this.deep(x, out, from, seen);
    }
  }
}

/** Is `v` the wire's mark of a value with cycles or shared objects (`{ [TAG]: 'graph', v }`)? */
function isGraph(v: unknown): boolean {
  return (
    v !== null &&
    typeof v === 'object' &&
    Object.hasOwn(v, TAG) &&
    (v as Record<string, unknown>)[TAG] === 'graph'
  );
}

/** The node name of a NodeKey `${node}~${incarnation}`. */
export function nodeOf(key: string): string {
  const i = key.lastIndexOf('~');
  return i < 0 ? key : key.slice(0, i);
}

/** `NodeKey:thread` (parts 2) → [key, thread]; TypeError on anything else. */
function splitKey(w: unknown, _parts: 2): [string, number] {
  if (typeof w !== 'string') throw new TypeError('bad place');
  const cut = w.lastIndexOf(':');
  const thread = Number(w.slice(cut + 1));
  if (cut <= 0 || !Number.isInteger(thread) || thread < 0 || thread >= REMOTE_BASE) {
    throw new TypeError('bad place');
  }
  return [w.slice(0, cut), thread];
}
