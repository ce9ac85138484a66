/**
 * Signals as data. Everything one actor does to another — a message, a reply, an exit signal, a link, a
 * monitor and their undoing, a DOWN — is one `Signal`, whatever placement the two actors have. The router
 * (router.ts) takes every signal, records it, and either applies it here (apply.ts) or hands it to the
 * `Transport` of the place its target lives in. Requests (`Request`) are the control questions one place
 * asks another (spawn bookkeeping, names, liveness, shutdown); each has a typed answer (`AnswerOf`).
 */
import type { Descriptor } from '../actors/importable.js';
import type { ExitReason, Kwargs } from '../core/message.js';
import type { ActorRef, Address, ReplyRef } from '../core/ref.js';

/** A monitor reference, as returned by `monitor()` and carried by its `DOWN` message. */
export type MonitorRef = number;

/** A message for an actor: `[tag, sender, args, kwargs]` as fields. */
export interface MessageSignal {
  kind: 'msg';
  to: ActorRef;
  tag: string;
  sender: Address | null;
  args: unknown[];
  kwargs: Kwargs;
}

/** The answer to a call: completes the caller's pending call (or is dropped if late). */
export interface ReplySignal {
  kind: 'reply';
  to: ReplyRef;
  tag: string;
  sender: Address | null;
  args: unknown[];
  kwargs: Kwargs;
}

/**
 * An exit signal. `viaLink`: the link's notice that `from` died (it counts only while the link stands);
 * otherwise sent with `exit(to, reason)`.
 */
export interface ExitSignal {
  kind: 'exit';
  to: ActorRef;
  from: ActorRef;
  reason: ExitReason;
  viaLink: boolean;
}

/** `from` links itself to `to` (the other half of a link is set on `from`'s side already). */
export interface LinkSignal {
  kind: 'link';
  to: ActorRef;
  from: ActorRef;
}

export interface UnlinkSignal {
  kind: 'unlink';
  to: ActorRef;
  from: ActorRef;
}

/** `watcher` starts monitoring `to` under `mref`. */
export interface MonitorSignal {
  kind: 'monitor';
  to: ActorRef;
  watcher: ActorRef;
  mref: MonitorRef;
}

export interface DemonitorSignal {
  kind: 'demonitor';
  to: ActorRef;
  mref: MonitorRef;
}

/** `from` is gone with `reason`: the watcher `to` gets `['DOWN', from, [reason, mref], {}]`. */
export interface DownSignal {
  kind: 'down';
  to: ActorRef;
  from: ActorRef;
  reason: ExitReason;
  mref: MonitorRef;
}

/** The registry tells an actor the name it now holds (undefined: none). */
export interface NamedSignal {
  kind: 'named';
  to: ActorRef;
  name: string | undefined;
}

/** Every signal between actors. */
export type Signal =
  | MessageSignal
  | ReplySignal
  | ExitSignal
  | LinkSignal
  | UnlinkSignal
  | MonitorSignal
  | DemonitorSignal
  | DownSignal
  | NamedSignal;

export type SignalKind = Signal['kind'];

/** What shutdown (and the tree view) needs to know of a live actor, on any place. */
export interface LiveCell {
  ref: ActorRef;
  parent: ActorRef | undefined;
  born: number;
  /** It stops at once on 'shutdown' (traps no exits, has no onStop): stoppable in a batch. */
  quick: boolean;
  /** It is a Supervisor (for the tree view). */
  supervisor: boolean;
}

/** What an actor's place says of it. */
export interface Liveness {
  alive: boolean;
  /** How to import its class on another place, for a typed proxy. */
  target?: Descriptor | undefined;
}

/** What `whereis` finds. */
export interface Found {
  ref: ActorRef;
  target?: Descriptor | undefined;
}

/**
 * The live actors of one place, in columns of plain numbers (a place may hold a million actors: one
 * object each would cost seconds to copy). `flags`: 1 quick (see LiveCell), 2 supervisor.
 */
export interface LiveTable {
  place: number;
  ids: Float64Array;
  /** The parent's id and place, or -1 when there is none. */
  parents: Float64Array;
  parentPlaces: Float64Array;
  born: Float64Array;
  flags: Uint8Array;
  /** The actors' names, JSON-encoded as one string. */
  names: string;
}

/**
 * @internal What one place's tables hold now (leak tests and the churn soak check that they return to a
 * baseline). Counts only, except `heapUsed`.
 */
export interface Tables {
  place: number;
  /** Live actors, pending calls (made from here), armed deadlines, names (main thread) by name and by id. */
  actors: number;
  calls: number;
  deadlines: number;
  names: number;
  nameIds: number;
  /** Chunks of the actor table kept though all their actors have exited (see CellTable). */
  emptyChunks: number;
  /** Entries of the live actors' link, monitored-by and monitoring maps, summed. */
  links: number;
  monitors: number;
  monitoring: number;
  /** Thread transport: requests awaiting their answer, packets held back behind an import, items backed
   * up behind a full lane, signals waiting for their actor's spawn, exits sent twice awaiting their
   * in-order copy, actors an urgent exit ended ahead of earlier signals. 0 on a single thread. */
  requests: number;
  held: number;
  backlog: number;
  early: number;
  overtaken: number;
  diedAhead: number;
  /** Bytes of this place's JS heap in use, after a forced GC if the process runs with --expose-gc. */
  heapUsed?: number;
}

/** Control questions one place asks another. */
export type Request =
  | { q: 'register'; name: string; ref: ActorRef }
  | { q: 'unregister'; name: string }
  | { q: 'whereis'; name: string }
  | { q: 'release'; name: string; id: number }
  | { q: 'alive'; to: ActorRef }
  | { q: 'started'; to: ActorRef }
  | { q: 'watch'; to: ActorRef }
  | { q: 'list' }
  | { q: 'tables'; heap: boolean }
  | { q: 'stop'; ids: Float64Array; reason: ExitReason; timeout: number }
  /** Node monitors (answered by the main thread, which holds the cluster connection). */
  | { q: 'monitorNode'; node: string; watcher: ActorRef; on: boolean }
  /** A worker thread's request for another node's place, asked by the main thread for it. */
  | { q: 'via'; place: number; r: Request };

/** The answer type of each request. */
export interface Answers {
  register: undefined;
  unregister: boolean;
  whereis: Found | undefined;
  release: undefined;
  alive: Liveness;
  started: ExitReason | undefined;
  watch: ExitReason | undefined;
  list: LiveTable;
  tables: Tables;
  stop: true;
  via: unknown;
  monitorNode: true;
}

export type AnswerOf<R extends Request> = Answers[R['q']];
