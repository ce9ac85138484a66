/**
 * The thread transport's packets: the wire form of signals, spawns, requests and thread management
 * between the threads of one runtime, as one typed union. Signals are encoded by the one wire codec
 * (wire.ts) into packets (`signalToPacket`) and decoded back (`packetToSignal`) on the receiving thread;
 * actor ids travel as numbers and refs as `EncodedRef`s. Plain messages and replies usually skip packets
 * altogether and travel as binary lane records (lane.ts); a packet then leaves a MARKER in the lane.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Descriptor } from '../actors/importable.js';
import { type Message, NO_KWARGS } from '../core/message.js';
import type { ActorRef, ReplyRef } from '../core/ref.js';
import type { Signal } from '../router/signal.js';
import {
  decodePlain,
  decodeValue,
  type EncodedRef,
  encodeMessage,
  encodeRef,
  encodeValue,
  type Reviver,
} from '../wire/codec.js';

/** Modules the receiver imports before it handles the packet (classes and functionActors inside). */
type Loads = {
  load?: Descriptor[] | undefined;
  /** Applied ahead of its place, before an urgent exit from the same thread; skipped at its MARKER. */
  applied?: true | undefined;
};

export type MsgPacket = { op: 'msg'; to: number; m: Message; plain?: true | undefined } & Loads;
export type ReplyPacket = { op: 'reply'; call: number; m: Message; plain?: true | undefined } & Loads;
export type ExitPacket = {
  op: 'exit';
  to: number;
  from: EncodedRef;
  reason: unknown;
  viaLink: boolean;
  /** Set on an exit sent twice (urgent and in order): the receiver applies whichever copy may act first. */
  xid?: number | undefined;
  urgent?: true | undefined;
} & Loads;
export type LinkPacket = { op: 'link' | 'unlink'; to: number; from: EncodedRef } & Loads;
export type MonitorPacket = { op: 'monitor'; to: number; watcher: EncodedRef; mref: number } & Loads;
export type DemonitorPacket = { op: 'demonitor'; to: number; mref: number } & Loads;
export type DownPacket = { op: 'down'; to: number; from: EncodedRef; reason: unknown; mref: number } & Loads;
export type NamedPacket = { op: 'named'; to: number; name: string | undefined } & Loads;

/** Packets addressed to one actor of the receiving thread (they wait for its spawn if it is on its way). */
export type ActorPacket =
  | MsgPacket
  | ReplyPacket
  | ExitPacket
  | LinkPacket
  | MonitorPacket
  | DemonitorPacket
  | DownPacket
  | NamedPacket;

export type SpawnPacket = {
  op: 'spawn';
  id: number;
  name: string;
  target: Descriptor;
  args: unknown;
  parent: EncodedRef | null;
  link: boolean;
  born: number;
} & Loads;

export type Packet =
  | ActorPacket
  | SpawnPacket
  | ({ op: 'request'; req: number; from: number; body: unknown } & Loads)
  | ({ op: 'answer'; req: number; failed: boolean; value: unknown } & Loads)
  | ({ op: 'lane'; sab: SharedArrayBuffer } & Loads)
  | ({ op: 'connect'; thread: number; port: MessagePort } & Loads)
  | ({ op: 'threads'; live: number[] } & Loads)
  | ({ op: 'threadDown'; thread: number } & Loads)
  /** A worker's signal (or spawn) for another node's place, for the main thread's cluster transport. */
  | ({ op: 'fwd'; place: number; p: ActorPacket | SpawnPacket } & Loads)
  /** The cluster as the main thread sees it: this node's name, and each node up with its places here. */
  | ({ op: 'nodes'; self: string; table: [node: string, places: number[], threads: number[]][] } & Loads)
  /** The main thread lost these other nodes' places (`down`: the node itself is down). */
  | ({ op: 'remoteLost'; places: number[]; down: boolean } & Loads)
  | ({ op: 'ready' } & Loads)
  | ({ op: 'retire' } & Loads)
  | ({ op: 'log'; level: 'error' | 'warn' | 'info' | 'debug'; message: string; fields: unknown } & Loads)
  | ({ op: 'record'; event: unknown } & Loads);

export type Op = Packet['op'];

/** Is this packet for one actor (its `to` is an actor id of the receiving thread)? */
export function isActorPacket(p: Packet): p is Exclude<ActorPacket, ReplyPacket> {
  switch (p.op) {
    case 'msg':
    case 'exit':
    case 'link':
    case 'unlink':
    case 'monitor':
    case 'demonitor':
    case 'down':
    case 'named':
      return true;
    default:
      return false;
  }
}

/** Encodes a signal for another thread; throws NotCloneableError (with the path) before anything is sent. */
export function signalToPacket(s: Signal): ActorPacket {
  switch (s.kind) {
    case 'msg': {
      const { m, load, plain } = encodeMessage([s.tag, s.sender, s.args, s.kwargs]);
      return { op: 'msg', to: s.to.id, m, load, plain };
    }
    case 'reply': {
      const { m, load, plain } = encodeMessage([s.tag, s.sender, s.args, s.kwargs]);
      return { op: 'reply', call: s.to.callId, m, load, plain };
    }
    case 'exit': {
      const { v, load } = encodeValue(s.reason, 'reason');
      return { op: 'exit', to: s.to.id, from: encodeRef(s.from), reason: v, viaLink: s.viaLink, load };
    }
    case 'link':
    case 'unlink':
      return { op: s.kind, to: s.to.id, from: encodeRef(s.from) };
    case 'monitor':
      return { op: 'monitor', to: s.to.id, watcher: encodeRef(s.watcher), mref: s.mref };
    case 'demonitor':
      return { op: 'demonitor', to: s.to.id, mref: s.mref };
    case 'down': {
      const { v, load } = encodeValue(s.reason, 'reason');
      return { op: 'down', to: s.to.id, from: encodeRef(s.from), reason: v, mref: s.mref, load };
    }
    case 'named':
      return { op: 'named', to: s.to.id, name: s.name };
  }
}

/** What decoding on the receiving thread needs: a reviver, and refs to its own actors by id. */
export interface Decoder extends Reviver {
  here(id: number): ActorRef;
  replyRef(callId: number): ReplyRef;
}

/** Decodes an actor packet (its modules imported) into the signal it carries. */
export function packetToSignal(p: ActorPacket, d: Decoder): Signal {
  switch (p.op) {
    case 'msg': {
      const m = decodeMessage(p, d);
      return { kind: 'msg', to: d.here(p.to), tag: m[0], sender: m[1], args: m[2], kwargs: m[3] };
    }
    case 'reply': {
      const m = decodeMessage(p, d);
      return { kind: 'reply', to: d.replyRef(p.call), tag: m[0], sender: m[1], args: m[2], kwargs: m[3] };
    }
    case 'exit':
      return {
        kind: 'exit',
        to: d.here(p.to),
        from: d.revive(p.from),
        reason: decodeValue(p.reason, d),
        viaLink: p.viaLink,
      };
    case 'link':
    case 'unlink':
      return { kind: p.op, to: d.here(p.to), from: d.revive(p.from) };
    case 'monitor':
      return { kind: 'monitor', to: d.here(p.to), watcher: d.revive(p.watcher), mref: p.mref };
    case 'demonitor':
      return { kind: 'demonitor', to: d.here(p.to), mref: p.mref };
    case 'down':
      return {
        kind: 'down',
        to: d.here(p.to),
        from: d.revive(p.from),
        reason: decodeValue(p.reason, d),
        mref: p.mref,
      };
    case 'named':
      return { kind: 'named', to: d.here(p.to), name: p.name };
  }
}

function decodeMessage(p: MsgPacket | ReplyPacket, d: Decoder): Message {
  if (p.plain) return decodePlain(p.m, d);
  const m = decodeValue(p.m, d) as Message;
  if (m[3] === undefined) m[3] = NO_KWARGS;
  return m;
}
