/** @internal Copying on one thread, as a thread would (TaskletController({ copyMessages: true })). */
import { type Message, NO_ARGS, NO_KWARGS } from '../core/message.js';
import { ActorRef } from '../core/ref.js';
import { errorShell, fillError } from './format.js';
import { type Codec, isPlain, type Revive, Walk, walk, walkMessage } from './walk.js';

const copier: Codec = {
  ref: (ref, w) => w.revive!(ref),
  proxy: (p, w) => {
    const copy = Object.create(Object.getPrototypeOf(p)) as { ref: ActorRef };
    copy.ref = w.revive!(p.ref);
    return copy;
  },
  actorClass: (cls) => cls,
  functionActor: (fa) => fa,
  errorStart: errorShell,
  errorEnd: (out, f) => fillError(out as Error, f),
  escape: (out) => out,
  leaf: copyLeaf,
};

const VIEWS = new Map<string, new (b: ArrayBufferLike, offset: number, length: number) => object>(
  [
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
    DataView,
  ].map((c) => [c.name, c as never]),
);

/** A leaf's copy; a view shares its buffer's copy with every other view of that buffer, as in a clone. */
function copyLeaf(obj: object, w: Walk): unknown {
  if (obj instanceof Date) return new Date(obj.getTime());
  if (ArrayBuffer.isView(obj)) {
    const C = VIEWS.get(Object.prototype.toString.call(obj).slice(8, -1));
    if (C !== undefined) {
      const len = obj instanceof DataView ? obj.byteLength : (obj as Uint8Array).length;
      w.path.push('buffer');
      const buffer = walk(obj.buffer, w) as ArrayBufferLike;
      w.path.pop();
      return new C(buffer, obj.byteOffset, len);
    }
  }
  return structuredClone(obj);
}

/**
 * @internal Copies `msg` as a thread would (the same graph, prototypes lost, refs re-bound by `revive`);
 * throws NotCloneableError, naming the path of the bad value, before anything is delivered.
 */
export function copyMessage(msg: Message, revive: Revive): Message {
  if (isPlain(msg)) {
    const sender = msg[1];
    const args = msg[2];
    return [
      msg[0],
      sender instanceof ActorRef ? revive(sender) : sender,
      args.length === 0 ? NO_ARGS : args.slice(),
      NO_KWARGS,
    ];
  }
  return walkMessage(msg, new Walk(copier, 'args', revive));
}
