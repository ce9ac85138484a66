/** @internal The wire between threads: encoding for postMessage (decode.ts undoes it on the other side). */
import { type Descriptor, descriptorOf } from '../actors/importable.js';
import { type Message, NO_KWARGS } from '../core/message.js';
import { ActorRef } from '../core/ref.js';
import { type ErrorFields, encodeRef, isPrimitive, TAG } from './format.js';
import { type Codec, isPlain, Walk, walkMessage } from './walk.js';

const encoder: Codec = {
  ref: (ref) => ({ [TAG]: 'ref', r: encodeRef(ref) }),
  proxy: (p) => ({ [TAG]: 'proxy', r: encodeRef(p.ref) }),
  actorClass: (cls, w) => ({ [TAG]: 'class', d: describe(cls, cls.name, w) }),
  functionActor: (fa, w) => ({ [TAG]: 'fa', d: describe(fa, fa.name, w) }),
  errorStart: () => ({ [TAG]: 'error', e: undefined }),
  errorEnd: (out, f) => {
    (out as { e: ErrorFields }).e = f;
  },
  escape: (out) => ({ [TAG]: 'esc', o: out }),
  leaf: (obj) => obj,
};

function describe(target: object, name: string, w: Walk): Descriptor {
  let d: Descriptor;
  try {
    d = descriptorOf(target, name);
  } catch (err) {
    throw w.fail(`${name} (not importable by a worker thread)`, err);
  }
  (w.load ??= []).push(d);
  return d;
}

/**
 * @internal Encodes `msg` for postMessage; throws NotCloneableError (with the path) before anything is
 * sent. `load` lists the modules the receiver must import first (classes and functionActors inside).
 * `plain`: primitive args and no kwargs, sent as they are (decode with decodePlain).
 */
export function encodeMessage(msg: Message): {
  m: Message;
  load: Descriptor[] | undefined;
  plain?: true;
} {
  if (isPlain(msg)) {
    const sender = msg[1];
    // The args array is copied now: postMessage copies it only when the batch is flushed.
    const m: Message = [
      msg[0],
      sender instanceof ActorRef ? (encodeRef(sender) as never) : null,
      msg[2].slice(),
      NO_KWARGS,
    ];
    return { m, load: undefined, plain: true };
  }
  const w = new Walk(encoder, 'args', undefined);
  const m = walkMessage(msg, w);
  // Marks the graph (args, and the kwargs after them) as one with cycles or shared objects.
  if (w.shared) m[2] = { [TAG]: 'graph', v: m[2] } as never;
  return { m, load: w.load };
}

/** @internal Encodes any value (spawn args, exit reasons, answers) the same way (decode with decodeValue). */
export function encodeValue(v: unknown, path: string): { v: unknown; load: Descriptor[] | undefined } {
  if (isPrimitive(v)) return { v, load: undefined };
  const w = new Walk(encoder, path, undefined);
  const out = w.run(v);
  return { v: w.shared ? { [TAG]: 'graph', v: out } : out, load: w.load };
}

/**
 * @internal Encodes a request's answer; one that cannot cross becomes a plain `{ name, message }` (or the
 * text) of why, and `failed` (the asker gets a rejection, not a value it cannot use).
 */
export function encodeAnswer(
  value: unknown,
  failed: boolean,
): { v: unknown; load: Descriptor[] | undefined; failed: boolean } {
  try {
    return { ...encodeValue(value, 'answer'), failed };
  } catch (err) {
    const why = err instanceof Error ? { name: err.name, message: err.message } : String(err);
    return { ...encodeValue(why, 'answer'), failed: true };
  }
}
