/**
 * How values cross a copy (TaskletController({ copyMessages: true }): `copyMessage`) or a thread
 * (ThreadController: `encodeMessage`/`encodeValue` here, postMessage, `decodePlain`/`decodeValue` there).
 *
 * Meaning: structured clone's, on every placement. The receiver gets the same graph (cycles and shared
 * objects stay one object), prototypes are lost (class instances arrive as plain objects of their own
 * enumerable fields; an own `__proto__` field stays an own field), Maps, Sets, Dates, RegExps, ArrayBuffers
 * and typed arrays (views of one buffer still share it), BigInts and holes in arrays are kept. Functions,
 * symbols, promises, weak collections and Proxies are refused with NotCloneableError naming the path of
 * the bad value (`args[0].nested[1].handler`), before anything is sent; so is a value whose getter throws
 * (the user's error is its `cause`). What Parley carries specially: ActorRefs and actor proxies arrive as
 * live refs and proxies, Actor classes and functionActors are re-imported from their module, errors keep
 * name, message, stack, cause and own fields (`code`…), and Parley's own and the standard error classes
 * keep their class (looked up in own-key tables only; any other name arrives as an `Error` of that name).
 *
 * Wire format (what encode produces): the value's own graph, in which each special value is a plain
 * object with the own key `"\u0000parley"` (TAG) giving its kind:
 *   `{ [TAG]: 'ref' | 'proxy', r: [id, thread, name, callId?] }`, `{ [TAG]: 'class' | 'fa', d: descriptor }`,
 *   `{ [TAG]: 'error', e: { name, message, stack, cause, props } }`, `{ [TAG]: 'esc', o: fields }`: a user
 *   object that itself has the TAG key, escaped, so no user value ever decodes as a Parley value; and
 *   `{ [TAG]: 'graph', v }` around a value (a message's args) that has cycles or shared objects: only then
 *   does the decoder track what it decoded (a tree needs no tracking, and costs none).
 * Everything else is left for structured clone (leaves as they are). A message is `[tag, sender, args,
 * kwargs]` with `sender` a tagged ref or null; a `plain` message (primitive args, no kwargs: no walk) has
 * its sender as a bare EncodedRef array and is decoded with decodePlain.
 *
 * What a transport must do with it: deliver the encoded value in ONE structured clone (one postMessage;
 * splitting it would break shared references), import the modules in `load` before decoding, and decode it
 * once with decodeValue (decoding is in place, on the clone: never decode the sender's own object).
 *
 * Exit reasons: `canCross(v)` tells whether a value can cross as it is; `reduceReason(reason)` returns it
 * unchanged if so, else a cloneable Error describing it (`reduced: true`). Neither ever throws.
 */

export { copyMessage } from './copy.js';
export { decodePlain, decodeValue, type Reviver } from './decode.js';
export { encodeAnswer, encodeMessage, encodeValue } from './encode.js';
export { type EncodedRef, encodeRef } from './format.js';
export { canCross, reduceReason } from './reason.js';
export type { Revive } from './walk.js';
