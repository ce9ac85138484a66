/**
 * The cluster transport: the Transport (router/transport.ts) for places on other nodes, over NATS. One
 * per node, on its main thread; the node's worker threads reach other nodes through it (forward.ts).
 *
 * - **Carrying.** A signal becomes the packet the thread transport would make (threads/protocol.ts), its
 *   places and ids rewritten for the wire (places.ts), packed with msgpackr (envelope.ts) and appended to
 *   the batch for its node; batches go out once per event-loop turn, one NATS message per destination
 *   node, on that node's one subject (so per-pair FIFO holds: NATS keeps one publisher's order).
 * - **Sessions.** Every batch carries its sender's session epoch and a sequence number per destination.
 *   A gap, a sequence that replays, a new epoch that was not announced, or a heartbeat that says more was
 *   sent than arrived is a broken session: everything linked to or watching the other node, and every
 *   call to it, gets `'noconnection'` (as the router does for a lost place), and both sides start a new
 *   session. Loss is possible only at such a break, and every break is reported.
 * - **Membership.** Every node publishes a heartbeat (its threads, and per peer the last sequence sent)
 *   every `heartbeat` ms; a node not heard from for `downAfter` is down, as is one that says goodbye or
 *   comes back as a new incarnation. A late timer on this node (a stalled event loop) restarts the
 *   grace period instead of declaring everyone down.
 * - **Security.** With a secret, every envelope is signed (HMAC-SHA256) and checked before it is
 *   decoded; what is decoded is validated before it is used; envelopes of another cluster or addressed to
 *   another incarnation are dropped (and counted).
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type Cell, DEAD, ERROR_REPLY } from '../actors/cell.js';
import type { Descriptor } from '../actors/importable.js';
import { load } from '../actors/importable.js';
import { type ActorExitedError, MessageTooLargeError, NoSuchNodeError } from '../core/errors.js';
import { ID_SPACE } from '../core/inspect.js';
import { type Message, NO_KWARGS } from '../core/message.js';
import { ActorRef, ReplyRef } from '../core/ref.js';
import { applyReply } from '../router/apply.js';
import type { AnswerOf, Request, Signal } from '../router/signal.js';
import { PlaceLostError, type Transport } from '../router/transport.js';
import type { ClusterNameTable } from '../runtime/cluster-hook.js';
import type { Runtime } from '../runtime/runtime.js';
import { Arrivals } from '../threads/arrivals.js';
import { ThreadDecoder } from '../threads/decoder.js';
import {
  isActorPacket,
  type Packet,
  packetToSignal,
  type SpawnPacket,
  signalToPacket,
} from '../threads/protocol.js';
import { decodeValue, type EncodedRef, encodeAnswer, encodeValue } from '../wire/codec.js';
import {
  BatchBody,
  PLAIN_MODE,
  type PlainRecord,
  REC_REPLY,
  RecordReader,
  SENDER_REPLY_TO,
} from './batch-body.js';
import {
  clusterKey,
  decodePacket,
  type EnvelopeHeader,
  encodePacket,
  openFrame,
  packetMayShare,
  sealBatch,
} from './envelope.js';
import { ClusterNames } from './names.js';
import type { ResolvedCluster } from './options.js';
import { type Alias, nodeOf, Places, REMOTE_BASE } from './places.js';

// The cluster keeps real time even while a test fakes the global timers (sinon): heartbeats and loss
// detection are between processes, whatever clock the runtime's own timeouts use.
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;
const realNow = performance.now.bind(performance);

/** Bytes an envelope adds around its packets (header, counts, signature), kept free in every NATS message. */
const OVERHEAD = 512;
const NO_PACKETS: Uint8Array[] = [];

/** What one node incarnation is to this one. */
interface Peer {
  key: string;
  node: string;
  up: boolean;
  /** When a heartbeat or batch from it last arrived (this runtime's clock). */
  heard: number;
  /** Its worker threads (new actors placed on it go round-robin over them; none: its main thread). */
  threads: number[];
  next: number;
  /** Outgoing session: epoch, last sequence sent, the batch being filled. */
  outEpoch: number;
  outSeq: number;
  body: BatchBody;
  /** The cause the next batch's session packet announces (a new session starts with one). */
  announce: 'start' | 'broken' | 'ack' | undefined;
  /** Incoming session: its epoch and the last sequence taken. */
  inEpoch: number;
  inSeq: number;
  /** The last of its sessions this side took (kept when `inEpoch` is reset). */
  seenEpoch: number;
  /** `seenEpoch` when this side's session last restarted (its announcement names it). */
  announceSeen: number;
  /** Its incoming epochs that ended here: a batch of one of them is a replay, refused. */
  ended: Set<number>;
  /** The number of its last heartbeat (they count up per incarnation): one not above it is a replay. */
  hbSeq: number;
  /** Packets held back while an earlier one from this node waits for its module imports. */
  held: Packet[] | undefined;
  /** Said goodbye, or replaced by a new incarnation: never up again. */
  gone: boolean;
  /** After this node reconnected: not reachable until it is heard from (then a new session starts). */
  waiting: boolean;
}

/** A request to another node, awaiting its answer. */
interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  key: string;
}

/** Counters of what was refused or lost, for tests and introspection. */
export interface ClusterCounters {
  /** Envelopes dropped: bad signature, bad format, wrong cluster, another incarnation, replayed. */
  rejected: number;
  /** Sessions broken (each reported as 'noconnection'). */
  breaks: number;
  /** Batches and packets sent and taken. */
  batchesOut: number;
  batchesIn: number;
  packetsOut: number;
  packetsIn: number;
}

/** @internal */
export class ClusterTransport implements Transport, ClusterNameTable {
  readonly self: string;
  readonly places: Places;
  private nc: NatsConnection | undefined;
  private readonly key: Uint8Array | undefined;
  private readonly peers = new Map<string, Peer>();
  /** The live incarnation of each node name. */
  private readonly current = new Map<string, string>();
  private readonly dirty = new Set<Peer>();
  private flushing = false;
  private readonly requests = new Map<number, Pending>();
  private nextRequest = 1;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastTick = 0;
  private joinedAt = 0;
  /** @internal Tests: called with the connection before any traffic (subscriptions ordered with it). */
  onConnect: ((nc: NatsConnection) => void) | undefined = undefined;
  /** The version of the nodes table (shareTable), and the version each worker thread has. */
  private tableVersion = 1;
  private readonly tableSent = new Map<number, number>();
  private lastBeat = 0;
  /** Heartbeats sent (each carries its number as its seq, so a replayed one is refused). */
  private beats = 0;
  private maxPayload = 1024 * 1024;
  private closed = false;
  /** Disconnected from NATS (the client is reconnecting). */
  private offline = false;
  private readonly decoder: ThreadDecoder;
  private readonly reader = new RecordReader();
  private readonly arrivals: Arrivals;
  private readonly upWaiters = new Map<string, (() => void)[]>();
  /** Node monitors: node name → watchers (refs of actors on this node, any thread). */
  private readonly nodeWatchers = new Map<string, Set<import('../core/ref.js').ActorRef>>();
  readonly counters: ClusterCounters = {
    rejected: 0,
    breaks: 0,
    batchesOut: 0,
    batchesIn: 0,
    packetsOut: 0,
    packetsIn: 0,
  };
  private readonly subject: string;
  private readonly hbSubject: string;

  constructor(
    private readonly rt: Runtime,
    readonly options: ResolvedCluster,
  ) {
    const incarnation = randomHex16();
    this.self = `${options.node}~${incarnation}`;
    this.places = new Places(this.self, options.root);
    this.key = options.secret === undefined ? undefined : clusterKey(options.name, options.secret);
    this.subject = nodeSubject(options.name, options.node);
    this.hbSubject = `parley.${options.name}.hb`;
    this.decoder = new ThreadDecoder(rt);
    this.arrivals = new Arrivals(rt, rt.router, this.decoder);
  }

  /** This node's name. */
  get node(): string {
    return this.options.node;
  }

  /** Connects to NATS, subscribes, announces itself and starts the heartbeat. */
  async join(): Promise<void> {
    const o = this.options;
    const nc = await connect({
      servers: o.servers,
      name: this.self,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      pingInterval: 2000,
      maxPingOut: 2,
      ...o.auth,
    } as never);
    if (this.closed) {
      await nc.close();
      return;
    }
    this.nc = nc;
    this.onConnect?.(nc);
    this.joinedAt = this.now();
    this.maxPayload = nc.info?.max_payload ?? this.maxPayload;
    try {
      this.kvNames = await ClusterNames.open(nc, {
        cluster: o.name,
        self: this.self,
        isAlive: (owner) => this.ownerAlive(owner),
        debug: (m) => this.rt.logger.debug(`cluster names: ${m}`),
      });
    } catch (err) {
      this.rt.logger.warn(
        `cluster ${o.name}: names are not cluster-wide on node ${o.node}: the NATS server has no JetStream ` +
          `(start nats-server with -js) or refused the key-value bucket: ${err}`,
        { error: err },
      );
    }
    const onMessage = (err: Error | null, m: { data: Uint8Array }): void => {
      if (err === null) this.onBatch(m.data);
    };
    nc.subscribe(this.subject, { callback: onMessage });
    nc.subscribe(this.hbSubject, { callback: onMessage });
    void this.watchStatus(nc);
    this.lastTick = this.now();
    // Nodes introduced before the connection was up get their grace period from now; what was queued for
    // them goes out first (heartbeat() flushes).
    for (const peer of this.peers.values()) peer.heard = this.lastTick;
    this.heartbeat(true);
    // Checked twice per heartbeat: a silent node is found at most half a heartbeat after `downAfter`.
    this.heartbeatTimer = realSetInterval(() => this.tick(), Math.max(5, o.heartbeat >> 1));
    this.heartbeatTimer.unref?.();
    await nc.flush();
  }

  private now(): number {
    return realNow();
  }

  // ---- Transport ----

  reaches(place: number): boolean {
    if (this.offline) return false; // what is sent now would be lost: answered 'noconnection' at once
    const a = this.places.lookup(place);
    if (a === undefined) return false;
    const peer = this.peers.get(a.key);
    return peer?.up === true && !peer.waiting;
  }

  post(place: number, s: Signal): void {
    const a = this.places.lookup(place);
    if (a === undefined) throw new Error(`internal: place ${place} is not another node's`);
    if ((s.kind === 'msg' || s.kind === 'reply') && s.kwargs === NO_KWARGS && this.plain(a, s)) return;
    this.enqueue(a.key, a.thread, signalToPacket(s) as unknown as Record<string, unknown>);
  }

  /** A packet a worker thread of this node forwards (thread-wire form, this node's places). */
  forward(place: number, p: Record<string, unknown>): void {
    const a = this.places.lookup(place);
    if (a === undefined || !this.reaches(place)) {
      // Lost meanwhile: answer as the router does for an unreachable place.
      if (p.op === 'spawn') return this.spawn(place, p as unknown as SpawnPacket);
      const s = packetToSignal(p as never, this.remoteDecoder(place));
      this.rt.router.route(s);
      return;
    }
    try {
      this.enqueue(a.key, a.thread, p);
    } catch (err) {
      // Too large for a NATS message (the worker could not know): a call fails with it, anything else is
      // reported here; nothing is dropped silently.
      const m = p.m as unknown[] | undefined;
      const sender = p.op === 'msg' && Array.isArray(m) ? m[1] : undefined;
      if (Array.isArray(sender) && sender.length === 4) {
        const reply = this.rt.bindRef(sender[0] as number, sender[1] as number, 'reply', sender[3] as number);
        this.rt.router.route({
          kind: 'reply',
          to: reply as never,
          tag: ERROR_REPLY,
          sender: null,
          args: [err],
          kwargs: NO_KWARGS,
        });
      } else {
        this.rt.logger.error(
          `cluster: a ${String(p.op)} from a worker thread to node ${a.node} was not sent: ${err}`,
          {
            error: err,
          },
        );
      }
    }
  }

  request<R extends Request>(place: number, r: R): Promise<AnswerOf<R>> {
    const a = this.places.lookup(place);
    const peer = a === undefined ? undefined : this.peers.get(a.key);
    if (a === undefined || peer === undefined || !this.reaches(place)) {
      return Promise.reject(new PlaceLostError(place));
    }
    const req = this.nextRequest++;
    const { v, load } = encodeValue(r, 'request');
    return new Promise((resolve, reject) => {
      this.requests.set(req, { resolve: resolve as (v: unknown) => void, reject, key: a.key });
      try {
        this.enqueue(a.key, a.thread, { op: 'request', req, body: v, load });
      } catch (err) {
        this.requests.delete(req);
        reject(err);
      }
    });
  }

  /** Starts an actor on another node's thread (the spawn packet goes first in that pair's order). */
  spawn(place: number, p: SpawnPacket): void {
    const a = this.places.lookup(place)!;
    if (!this.reaches(place)) {
      // Its node is lost (or we are offline): the new actor is 'noconnection' at once, to a linked parent too.
      if (p.link && p.parent !== null) {
        const [pid, pplace, pname] = p.parent;
        const parent = this.rt.bindRef(pid, pplace, pname);
        this.rt.router.route({ kind: 'link', to: this.rt.bindRef(p.id, place, p.name), from: parent });
      }
      return;
    }
    this.enqueue(a.key, a.thread, p as unknown as Record<string, unknown>);
  }

  /** The place a new actor spawned on node `node` goes to: its next worker thread (or main). */
  placeOn(node: string): number {
    const key = this.current.get(node);
    const peer = key === undefined ? undefined : this.peers.get(key);
    if (node === this.options.node) return this.rt.thread;
    if (peer === undefined || !peer.up) {
      throw new NoSuchNodeError(node, this.nodes());
    }
    const ts = peer.threads;
    const thread = ts.length === 0 ? 0 : ts[peer.next++ % ts.length]!;
    return this.places.alias(peer.key, thread);
  }

  /**
   * @internal Takes node incarnation `key` (`node~incarnation`) as up before its first heartbeat, with its
   * worker `threads`: for a test harness that learns another node's key out of band and spawns on it at
   * once, before this node has joined. What is sent to it waits for the connection.
   */
  introduce(key: string, threads: number[]): void {
    const peer = this.peerOf(key, true);
    if (peer !== undefined) peer.threads = threads;
  }

  /** Names of the nodes up now, this one first. */
  nodes(): string[] {
    const out = [this.options.node];
    for (const [name, key] of this.current) if (this.peers.get(key)?.up) out.push(name);
    return out;
  }

  /** The node name of a place (this node's for its own threads). */
  nodeOfPlace(place: number): string {
    return this.places.lookup(place)?.node ?? this.options.node;
  }

  placeText(place: number): string {
    const a = this.places.lookup(place);
    if (a === undefined) return place === 0 ? this.options.node : `${this.options.node}/${place}`;
    return a.thread === 0 ? a.node : `${a.node}/${a.thread}`;
  }

  /** Resolves once node `node` is up (at once if it is). */
  whenUp(node: string): Promise<void> {
    const key = this.current.get(node);
    const peer = key === undefined ? undefined : this.peers.get(key);
    // Up, and reachable now (not while this node reconnects to NATS).
    if (node === this.options.node || (peer?.up && !peer.waiting && !this.offline)) return Promise.resolve();
    return new Promise((resolve) => {
      let list = this.upWaiters.get(node);
      if (list === undefined) this.upWaiters.set(node, (list = []));
      list.push(resolve);
    });
  }

  /** `watcher` gets `['NODEDOWN', null, [node, reason], {}]` once, when `node` goes down (at once if it is). */
  monitorNode(node: string, watcher: import('../core/ref.js').ActorRef): void {
    const key = this.current.get(node);
    if (node !== this.options.node && (key === undefined || !this.peers.get(key)?.up)) {
      watcher.sendWith('NODEDOWN', null, [node, 'noconnection'], {});
      return;
    }
    let set = this.nodeWatchers.get(node);
    if (set === undefined) this.nodeWatchers.set(node, (set = new Set()));
    set.add(watcher);
  }

  demonitorNode(node: string, watcher: import('../core/ref.js').ActorRef): void {
    const set = this.nodeWatchers.get(node);
    if (set === undefined) return;
    for (const w of set) if (w.equals(watcher)) set.delete(w);
  }

  // ---- cluster-wide names ----

  private kvNames: ClusterNames | undefined;
  private readonly releases = new Set<Promise<unknown>>();

  get names(): ClusterNameTable | undefined {
    return this.kvNames === undefined ? undefined : this;
  }

  /**
   * Is the node incarnation that holds a name alive? This one is; an earlier incarnation of this node, or of
   * a node now up as another incarnation, is not; a node that is down is not (its names are hidden and may
   * be taken over, and show again if it comes back first); one never heard of is alive only while this
   * node is too new to have heard every live node (its heartbeat would have come).
   */
  private ownerAlive(owner: string): boolean {
    if (owner === this.self) return true;
    const node = nodeOf(owner);
    if (node === this.options.node) return false;
    const current = this.current.get(node);
    if (current !== undefined && current !== owner) return false;
    const p = this.peers.get(owner);
    if (p !== undefined) return p.up;
    return this.now() - this.joinedAt < this.options.downAfter + this.options.heartbeat;
  }

  async claim(name: string, ref: ActorRef, target: Descriptor | undefined): Promise<ActorRef | undefined> {
    const first = await this.claimOnce(name, ref, target);
    if (first === undefined || this.peers.has(first.owner)) return first?.ref;
    // Held by a node not heard of yet: once every live node must have been heard, ask again.
    const wait = this.joinedAt + this.options.downAfter + this.options.heartbeat - this.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    return (await this.claimOnce(name, ref, target))?.ref;
  }

  private async claimOnce(
    name: string,
    ref: ActorRef,
    target: Descriptor | undefined,
  ): Promise<{ ref: ActorRef; owner: string } | undefined> {
    const entry = {
      r: this.globalRef(ref),
      t: target === undefined ? null : this.places.descriptorToWire(target),
    };
    const got = await this.kvNames!.claim(name, entry);
    if (got.ok) return undefined;
    const held = this.entryRef(got.holder);
    return held === undefined ? undefined : { ref: held.ref, owner: got.holder.owner };
  }

  release(name: string, ref: ActorRef): void {
    const names = this.kvNames;
    if (names === undefined) return;
    const entry = names.lookup(name);
    if (entry === undefined || entry.owner !== this.self) return;
    const held = this.entryRef(entry);
    if (held === undefined || !held.ref.equals(ref)) return;
    const p = names
      .release(name)
      .catch((err) => this.rt.logger.debug(`cluster names: release of '${name}': ${err}`));
    this.releases.add(p);
    void p.finally(() => this.releases.delete(p));
  }

  lookup(name: string): { ref: ActorRef; target: Descriptor | undefined } | undefined {
    const entry = this.kvNames?.lookup(name);
    // This node's own names are known to its registry (an entry here may be one it just released).
    return entry === undefined || entry.owner === this.self ? undefined : this.entryRef(entry);
  }

  async fetch(name: string): Promise<{ ref: ActorRef; target: Descriptor | undefined } | undefined> {
    const entry = await this.kvNames?.fetch(name);
    return entry === undefined || entry.owner === this.self ? undefined : this.entryRef(entry);
  }

  mainOf(place: number): number {
    const a = this.places.lookup(place);
    return a === undefined ? 0 : this.places.alias(a.key, 0);
  }

  /** A ref as the name table keeps it: places as `NodeKey:thread` whatever node reads it. */
  private globalRef(ref: ActorRef): unknown {
    const r = [this.places.idToWire(ref.id), this.places.placeToWire(ref.thread), ref.name];
    if (typeof r[0] === 'number') {
      const place = Math.floor(ref.id / ID_SPACE);
      r[0] = `${this.self}:${place}:${ref.id - place * ID_SPACE}`;
    }
    if (typeof r[1] === 'number') r[1] = `${this.self}:${r[1]}`;
    return r;
  }

  private entryRef(entry: {
    owner: string;
    ref: unknown;
  }): { ref: ActorRef; target: Descriptor | undefined } | undefined {
    try {
      const e = entry.ref as { r?: unknown; t?: unknown };
      const r = e.r as unknown[];
      if (!Array.isArray(r) || r.length !== 3 || typeof r[2] !== 'string') return undefined;
      const id = this.places.idFromWire(r[0], entry.owner);
      const place = this.places.placeFromWire(r[1], entry.owner);
      const t = e.t;
      const target =
        t !== null && typeof t === 'object' && typeof (t as Descriptor).module === 'string'
          ? this.places.descriptorFromWire(t as Descriptor)
          : undefined;
      return { ref: this.rt.bindRef(id, place, r[2]), target };
    } catch {
      return undefined;
    }
  }

  /** Says goodbye (peers report this node down at once), then closes the connection. */
  async leave(): Promise<void> {
    if (this.closed) return;
    // Names released as this node's actors stopped: let those writes land first (briefly).
    if (this.releases.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all(this.releases),
        new Promise((r) => {
          timer = setTimeout(r, 2000);
        }),
      ]);
      clearTimeout(timer);
    }
    this.closed = true;
    if (this.kvNames !== undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.kvNames.close().catch(() => undefined),
        new Promise((r) => {
          timer = setTimeout(r, 2000);
        }),
      ]);
      clearTimeout(timer);
    }
    if (this.heartbeatTimer !== undefined) realClearInterval(this.heartbeatTimer);
    const nc = this.nc;
    if (nc === undefined) return;
    try {
      if (!this.offline) {
        this.flush();
        nc.publish(this.hbSubject, this.seal({ ...this.header('*', 'bye') }, []));
        // Drain sends what is queued; it cannot finish while the server is away: close after 2 s at most.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          nc.drain(),
          new Promise((r) => {
            timer = setTimeout(r, 2000);
          }),
        ]);
        clearTimeout(timer);
      }
    } catch {
      // already closed
    }
    // Nothing of the connection outlives the runtime (its reconnect loop would keep the process alive).
    await nc.close().catch(() => undefined);
    for (const r of this.requests.values()) r.reject(new PlaceLostError(0));
    this.requests.clear();
  }

  close(): void {
    void this.leave();
  }

  // ---- sending ----

  private enqueue(key: string, thread: number, p: Record<string, unknown>): void {
    const peer = this.peers.get(key);
    if (peer === undefined || !peer.up) return;
    this.places.toWire(p);
    p.at = thread;
    const bytes = encodePacket(p);
    const limit = this.maxPayload - OVERHEAD;
    if (bytes.length > limit) {
      throw new MessageTooLargeError(bytes.length, limit, peer.node);
    }
    // Each packet takes its bytes and a 4-byte length in the batch.
    if (peer.body.len + bytes.length + 4 > limit) this.flushPeer(peer);
    peer.body.packet(bytes);
    this.counters.packetsOut++;
    this.dirtied(peer);
  }

  /** `peer` has a batch to send: it goes at the end of this turn. */
  private dirtied(peer: Peer): void {
    if (!this.dirty.has(peer)) {
      this.dirty.add(peer);
      if (!this.flushing) {
        this.flushing = true;
        queueMicrotask(this.flushFn);
      }
    }
  }
  private readonly flushFn = (): void => this.flush();

  /**
   * An id for a record to node incarnation `key` (see batch-body.ts): the id itself if it is of this node's
   * places, `-(local id) - 1` if it is of that node's own, NaN if it is a third node's (the packet path
   * names those).
   */
  private recordId(id: number, key: string): number {
    const place = Math.floor(id / ID_SPACE);
    if (place < REMOTE_BASE) return id;
    const a = this.places.lookup(place);
    if (a === undefined || a.key !== key) return Number.NaN;
    return -(a.thread * ID_SPACE + (id - place * ID_SPACE)) - 1;
  }

  /**
   * The fast path: a plain message or reply (batch-body.ts) written straight into the batch of the node
   * of alias `a`; false if it is not plain (or too large: the packet path then says so).
   */
  private plain(a: Alias, s: Signal): boolean {
    const peer = this.peers.get(a.key);
    if (peer === undefined || !peer.up) return false;
    const body = peer.body;
    body.max = this.maxPayload - OVERHEAD;
    let size: number;
    try {
      if (s.kind === 'msg') {
        const to = this.recordId(s.to.id, a.key);
        const sender = s.sender;
        let from = 0;
        if (sender !== null) {
          if (!(sender instanceof ActorRef) || sender.thread >= REMOTE_BASE) return false;
          from = this.recordId(sender.id, a.key);
          if (Number.isNaN(from)) return false;
        }
        if (Number.isNaN(to)) return false;
        size = body.msg(a.thread, to, s.tag, sender as ActorRef | null, from, s.args);
      } else if (s.kind === 'reply') {
        size = body.reply(a.thread, s.to.callId, s.tag, s.args);
      } else return false;
    } catch {
      return false; // reading the args threw: the packet path's encoder names the bad value
    }
    if (size === 0) return false;
    const limit = this.maxPayload - OVERHEAD;
    if (body.len > limit) {
      const tail = body.takeTail(size, 1);
      if (size > limit) return false;
      this.flushPeer(peer);
      peer.body.putTail(tail, 1);
    }
    this.counters.packetsOut++;
    this.dirtied(peer);
    return true;
  }

  private flush(): void {
    this.flushing = false;
    if (this.nc === undefined) return; // not joined yet: the batches wait (join() flushes them)
    // A peer a failed flush marks again (its new session's announcement) stays marked for the next flush.
    const dirty = [...this.dirty];
    this.dirty.clear();
    for (const peer of dirty) this.flushPeer(peer);
  }

  private flushPeer(peer: Peer): void {
    const body = peer.body;
    if ((body.count === 0 && peer.announce === undefined) || this.nc === undefined || !peer.up) return;
    let first: Uint8Array[] = NO_PACKETS;
    if (peer.announce !== undefined) {
      // `seen`: the other side's session this side last took, so a 'broken' that is about a session the
      // other side has already replaced (and reported) does not break its new one again.
      first = [encodePacket({ op: 'session', cause: peer.announce, seen: peer.announceSeen })];
      peer.announce = undefined;
    }
    peer.outSeq++;
    const header: EnvelopeHeader = { ...this.header(peer.key, 'b'), epoch: peer.outEpoch, seq: peer.outSeq };
    this.counters.batchesOut++;
    try {
      const bytes = sealBatch(header, first, this.key, body);
      body.reset();
      this.nc.publish(nodeSubject(this.options.name, peer.node), bytes);
    } catch (err) {
      body.reset();
      this.rt.logger.warn(`cluster: could not publish to node ${peer.node}: ${err}`, { error: err });
      this.breakSession(peer, 'publish failed');
    }
  }

  private header(to: string, kind: EnvelopeHeader['kind']): EnvelopeHeader {
    return { cluster: this.options.name, from: this.self, to, kind, epoch: 0, seq: 0 };
  }

  private seal(h: EnvelopeHeader, packets: Uint8Array[]): Uint8Array {
    return sealBatch(h, packets, this.key);
  }

  private heartbeat(hello: boolean): void {
    const nc = this.nc;
    if (nc === undefined || this.closed) return;
    this.lastBeat = this.now();
    const seqs: Record<string, [number, number]> = {};
    for (const p of this.peers.values()) if (p.up && p.outSeq > 0) seqs[p.key] = [p.outEpoch, p.outSeq];
    const body = {
      op: 'hb',
      node: this.options.node,
      threads: this.rt.fabricThreads(),
      seqs,
      hello,
    };
    try {
      this.flush();
      const h: EnvelopeHeader = { ...this.header('*', 'hb'), seq: ++this.beats };
      nc.publish(this.hbSubject, this.seal(h, [encodePacket(body)]));
    } catch (err) {
      this.rt.logger.debug(`cluster: heartbeat not published: ${err}`);
    }
  }

  /** Every heartbeat interval: publish ours, and find nodes gone silent. */
  /** Tells this node's worker threads which nodes are up and their places here, when that changed. */
  private shareTable(): void {
    const fabric = this.rt.fabric;
    if (fabric === undefined) return;
    const workers = fabric.reached;
    if (workers.every((t) => this.tableSent.get(t) === this.tableVersion)) return;
    const table: [string, number[], number[]][] = [];
    for (const [node, key] of this.current) {
      const peer = this.peers.get(key);
      if (peer === undefined || !peer.up) continue;
      const threads = [0, ...peer.threads];
      table.push([node, threads.map((t) => this.places.alias(key, t)), threads]);
    }
    for (const t of workers) {
      if (this.tableSent.get(t) === this.tableVersion) continue;
      this.tableSent.set(t, this.tableVersion);
      fabric.send(t, { op: 'nodes', self: this.options.node, table });
    }
    fabric.flush();
  }

  private tableChanged(): void {
    this.tableVersion++;
    this.shareTable();
  }

  private tick(): void {
    this.shareTable();
    const now = this.now();
    const late = now - this.lastTick > this.options.heartbeat + (this.options.heartbeat >> 1);
    this.lastTick = now;
    if (now - this.lastBeat >= this.options.heartbeat - (this.options.heartbeat >> 2)) this.heartbeat(false);
    for (const peer of this.peers.values()) {
      if (!peer.up) continue;
      // A stalled event loop here is not the others' silence: give them a new grace period.
      if (late) peer.heard = now;
      else if (now - peer.heard > this.options.downAfter) this.down(peer, 'timeout');
    }
  }

  // ---- receiving ----

  private onBatch(data: Uint8Array): void {
    if (this.closed) return;
    let header: EnvelopeHeader;
    let bounds: number[];
    try {
      ({ header, bounds } = openFrame(data, this.key, this.options.name));
    } catch (err) {
      const reason = (err as { reason?: unknown }).reason;
      if (reason === 'signature' || reason === 'cluster') this.warnRefused(err as Error);
      return this.reject(`envelope refused: ${(err as Error).message}`);
    }
    if (header.from === this.self) return; // our own heartbeat
    if (header.to !== '*' && header.to !== this.self) {
      return this.reject(`envelope for ${header.to} (this node is ${this.self})`);
    }
    switch (header.kind) {
      case 'hb': {
        const packets: Uint8Array[] = [];
        for (let i = 0; i < bounds.length; i += 2) packets.push(data.subarray(bounds[i]!, bounds[i + 1]!));
        return this.onHeartbeat(header, packets);
      }
      case 'bye': {
        const peer = this.peers.get(header.from);
        if (peer?.up) this.down(peer, 'bye');
        return;
      }
      case 'b':
        return this.onData(header, data, bounds);
    }
  }

  /**
   * A wrong signature or cluster is a misconfiguration the user must hear of (a node with another secret
   * is otherwise just never seen): a warning, at most once a minute, with the count so far.
   */
  private warnRefused(err: Error): void {
    const now = this.now();
    if (now - this.lastRefusalWarning < 60_000) return;
    this.lastRefusalWarning = now;
    this.rt.logger.warn(
      `cluster ${this.options.name}: node ${this.options.node} refused an envelope (${err.message}); ` +
        `${this.counters.rejected + 1} refused so far. A node with another cluster secret (or none), or a ` +
        'forgery: check that every node has the same cluster.secret (or all insecure: true)',
    );
  }
  private lastRefusalWarning = -Infinity;
  /** Other incarnations using this node's name (logged once each). */
  private readonly impostors = new Set<string>();

  private reject(why: string): void {
    this.counters.rejected++;
    this.rt.logger.debug(`cluster: ${why}`);
  }

  private onHeartbeat(h: EnvelopeHeader, packets: Uint8Array[]): void {
    let hb: Record<string, unknown>;
    try {
      hb = decodePacket(packets[0]!) as Record<string, unknown>;
      if (
        packets.length !== 1 ||
        hb === null ||
        typeof hb !== 'object' ||
        hb.op !== 'hb' ||
        hb.node !== nodeOf(h.from) ||
        !Array.isArray(hb.threads) ||
        !hb.threads.every((t) => Number.isInteger(t) && t > 0 && t < REMOTE_BASE) ||
        typeof hb.seqs !== 'object' ||
        hb.seqs === null
      ) {
        throw new TypeError('bad heartbeat');
      }
    } catch (err) {
      return this.reject(`heartbeat refused: ${(err as Error).message}`);
    }
    const known = this.peers.get(h.from);
    if (known !== undefined && h.seq <= known.hbSeq) {
      return this.reject(`replayed heartbeat ${h.seq} from ${known.node}`);
    }
    const peer = this.peerOf(h.from, true);
    if (peer === undefined) return;
    peer.hbSeq = h.seq;
    peer.heard = this.now();
    if (peer.waiting) {
      peer.waiting = false;
      this.restart(peer, 'broken');
      this.wakeUpWaiters(peer.node);
    }
    const threads = hb.threads as number[];
    if (threads.length !== peer.threads.length || threads.some((t, i) => peer.threads[i] !== t)) {
      peer.threads = threads;
      this.tableChanged();
    }
    // What it says it sent us that never arrived: a loss at the tail of the session.
    const mine = (hb.seqs as Record<string, unknown>)[this.self];
    if (Array.isArray(mine) && typeof mine[0] === 'number' && typeof mine[1] === 'number') {
      // Its current session to us: more sent than taken, or a session we never saw start. (A session
      // that ended here is being replaced: it learns so from our announcement.)
      const [epoch, seq] = mine as [number, number];
      if (epoch === peer.inEpoch ? seq > peer.inSeq : peer.inEpoch !== -1 && !peer.ended.has(epoch)) {
        this.breakSession(peer, 'messages missing');
      }
    }
    if (hb.hello === true) this.heartbeat(false);
  }

  /** The peer for a node key: a new incarnation of a node replaces (downs) the old one. */
  private peerOf(key: string, create: boolean): Peer | undefined {
    let peer = this.peers.get(key);
    if (peer !== undefined) {
      if (peer.up) return peer;
      if (!create || peer.gone) return undefined;
      // Silent too long, and reported down; it is back (a stalled process, a healed partition): the same
      // incarnation, reachable again, in new sessions. Both sides have reported the break ('broken').
      if (this.current.has(peer.node)) return undefined;
      peer.up = true;
      peer.heard = this.now();
      if (peer.inEpoch !== -1) peer.ended.add(peer.inEpoch);
      peer.inEpoch = -1;
      peer.inSeq = 0;
      this.current.set(peer.node, key);
      this.restart(peer, 'broken');
      this.rt.logger.info(`cluster: node ${peer.node} is back`);
      this.tableChanged();
      this.wakeUpWaiters(peer.node);
      return peer;
    }
    if (!create) return undefined;
    const node = nodeOf(key);
    if (node === this.options.node) {
      if (!this.impostors.has(key)) {
        this.impostors.add(key);
        this.rt.logger.error(
          `cluster ${this.options.name}: another node calls itself '${node}' (${key}); node names must be ` +
            'unique: its envelopes are refused here. Give every node its own cluster.node',
        );
      }
      return undefined;
    }
    const old = this.current.get(node);
    if (old !== undefined) {
      const p = this.peers.get(old);
      if (p?.up) this.down(p, 'replaced');
    }
    peer = {
      key,
      node,
      up: true,
      heard: this.now(),
      threads: [],
      next: 0,
      outEpoch: randomEpoch(),
      outSeq: 0,
      body: new BatchBody(),
      announce: 'start',
      inEpoch: -1,
      inSeq: 0,
      ended: new Set(),
      seenEpoch: -1,
      announceSeen: -1,
      waiting: false,
      hbSeq: 0,
      held: undefined,
      gone: false,
    };
    this.peers.set(key, peer);
    this.current.set(node, key);
    this.rt.logger.debug(`cluster: node ${node} is up (${key})`);
    this.tableChanged();
    this.wakeUpWaiters(node);
    // Tell it about us at once (it may not have heard our hello).
    this.heartbeat(false);
    return peer;
  }

  private wakeUpWaiters(node: string): void {
    const waiting = this.upWaiters.get(node);
    this.upWaiters.delete(node);
    if (waiting !== undefined) for (const w of waiting) w();
  }

  private onData(h: EnvelopeHeader, bytes: Uint8Array, bounds: number[]): void {
    // A batch of a session that ended, or one already taken: a replay (checked before a replay could
    // bring a node that is down back up).
    const known = this.peers.get(h.from);
    if (
      known !== undefined &&
      (known.ended.has(h.epoch) || (h.epoch === known.inEpoch && h.seq <= known.inSeq))
    ) {
      return this.reject(`replayed batch ${h.seq} of session ${h.epoch} from ${known.node}`);
    }
    const peer = this.peerOf(h.from, true);
    if (peer === undefined) return this.reject(`batch from ${h.from}, a node that is down`);
    peer.heard = this.now();
    if (peer.waiting) {
      peer.waiting = false;
      this.restart(peer, 'broken');
      this.wakeUpWaiters(peer.node);
    }
    // The first packet of a new session says why it started.
    let first = 0;
    if (h.epoch !== peer.inEpoch) {
      let cause: unknown;
      let seen: unknown;
      try {
        const s = decodePacket(bytes.subarray(bounds[0]!, bounds[1]!)) as {
          op?: unknown;
          cause?: unknown;
          seen?: unknown;
        };
        cause = s?.op === 'session' ? s.cause : undefined;
        seen = s?.seen;
      } catch {
        cause = undefined;
      }
      if (h.seq !== 1 || cause === undefined) {
        // The announcement must name this session (the one that lost batches), so the sender breaks too.
        peer.seenEpoch = h.epoch;
        this.breakSession(peer, `session ${h.epoch} from ${peer.node} did not start at its beginning`);
        if (peer.inEpoch !== -1) peer.ended.add(peer.inEpoch);
        peer.inEpoch = h.epoch;
        peer.inSeq = h.seq;
        return; // its start is lost; this batch belongs to a session already broken
      }
      const had = peer.inEpoch !== -1;
      if (had) peer.ended.add(peer.inEpoch);
      peer.inEpoch = h.epoch;
      peer.seenEpoch = h.epoch;
      peer.inSeq = 1;
      first = 1;
      this.rt.logger.debug(
        `cluster: session ${h.epoch} from ${peer.node} starts (${String(cause)}, about our session ${String(seen)}; ours is ${peer.outEpoch})`,
      );
      if (cause === 'broken' && seen === peer.outEpoch) {
        this.breakSession(peer, 'the other side lost messages', 'ack');
      } else if (cause === 'start' && had) this.breakSession(peer, 'the other side restarted its session');
    } else if (h.seq !== peer.inSeq + 1) {
      if (h.seq <= peer.inSeq) return this.reject(`replayed batch ${h.seq} from ${peer.node}`);
      this.breakSession(peer, `batches ${peer.inSeq + 1}..${h.seq - 1} from ${peer.node} were lost`);
      peer.inSeq = h.seq;
      return;
    } else peer.inSeq = h.seq;
    this.counters.batchesIn++;
    const reader = this.reader;
    reader.use(bytes);
    for (let i = 2 * first; i < bounds.length; i += 2) {
      const start = bounds[i]!;
      const end = bounds[i + 1]!;
      if (bytes[start] === PLAIN_MODE) {
        let r: PlainRecord;
        try {
          r = reader.read(start, end);
        } catch (err) {
          this.reject(`packet from ${peer.node} refused: ${(err as Error).message}`);
          continue;
        }
        this.counters.packetsIn++;
        this.takeRecord(peer, r);
        continue;
      }
      let p: Packet;
      try {
        const packet = bytes.subarray(start, end);
        const raw = decodePacket(packet) as Record<string, unknown>;
        p = this.validate(raw, peer, packetMayShare(packet));
      } catch (err) {
        this.reject(`packet from ${peer.node} refused: ${(err as Error).message}`);
        continue;
      }
      this.counters.packetsIn++;
      this.take(peer, p);
    }
  }

  /**
   * A plain record from `peer` (read into the reader's own object: used before this returns). A message
   * for a live actor of this thread, or a reply here, is applied at once; anything else (a packet from it
   * waits for imports, the actor is not here yet or is gone, a worker thread's) takes the packet's way.
   */
  private takeRecord(peer: Peer, r: PlainRecord): void {
    const rt = this.rt;
    try {
      if (peer.held === undefined && r.at === rt.thread) {
        if (r.kind === REC_REPLY) return applyReply(rt.router, r.to, r.tag, r.args);
        const cell = rt.localCell(this.idIn(r.to, peer.key));
        if (cell !== undefined && cell.state !== DEAD) {
          return cell.enqueue(r.tag, this.senderOf(peer, r), r.args, NO_KWARGS);
        }
      }
      this.take(peer, this.recordPacket(peer, r));
    } catch (err) {
      this.reject(`message from ${peer.node} refused: ${(err as Error).message}`); // a bad id
    }
  }

  /** An id from a record (see recordId), as an id here; TypeError if it is bad. */
  private idIn(w: number, key: string): number {
    if (w >= 0) return this.places.idFromWire(w, key);
    const id = -w - 1;
    if (id >= REMOTE_BASE * ID_SPACE) throw new TypeError('bad id');
    return id;
  }

  /** The sender of a record, bound here (its places are `peer`'s threads' aliases). */
  private senderOf(peer: Peer, r: PlainRecord): ActorRef | null {
    if (r.senderKind === 0) return null;
    const place = this.places.alias(peer.key, r.senderThread);
    const id = this.idIn(r.senderId, peer.key);
    return r.senderKind === SENDER_REPLY_TO
      ? new ReplyRef(id, place, r.senderCall, this.rt)
      : this.rt.bindRef(id, place, r.senderName);
  }

  /** The packet a record stands for (thread-wire form, this node's places). */
  private recordPacket(peer: Peer, r: PlainRecord): Packet {
    const at = r.at;
    if (r.kind === REC_REPLY) {
      return { op: 'reply', call: r.to, m: [r.tag, null, r.args, NO_KWARGS], plain: true, at } as Packet;
    }
    let sender: EncodedRef | null = null;
    if (r.senderKind !== 0) {
      const place = this.places.alias(peer.key, r.senderThread);
      const id = this.idIn(r.senderId, peer.key);
      sender =
        r.senderKind === SENDER_REPLY_TO ? [id, place, 'reply', r.senderCall] : [id, place, r.senderName];
    }
    const m = [r.tag, sender, r.args, NO_KWARGS] as unknown as Message;
    return { op: 'msg', to: this.idIn(r.to, peer.key), m, plain: true, at } as Packet;
  }

  /** Checks a decoded packet's shape and rewrites its places for this node; TypeError if it is bad. */
  private validate(raw: Record<string, unknown>, peer: Peer, mayShare: boolean): Packet {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new TypeError('not a packet');
    const at = raw.at;
    if (!Number.isInteger(at) || (at as number) < 0 || (at as number) >= REMOTE_BASE) {
      throw new TypeError('bad target thread');
    }
    checkShape(raw);
    this.places.fromWire(raw, peer.key, mayShare);
    return raw as unknown as Packet;
  }

  /** One packet from `peer`, in order (held back behind an earlier one's imports). */
  private take(peer: Peer, p: Packet): void {
    if (peer.held !== undefined) {
      peer.held.push(p);
      return;
    }
    const loads = p.load;
    const at = (p as { at?: number }).at!;
    if (loads !== undefined && loads.length > 0 && at === this.rt.thread) {
      peer.held = [];
      p.load = undefined;
      void Promise.all(loads.map((d) => load(d).catch(() => undefined))).then(() => {
        const queued = peer.held ?? [];
        peer.held = undefined;
        this.handle(peer, p, at);
        for (const q of queued) this.take(peer, q);
      });
      return;
    }
    this.handle(peer, p, at);
  }

  private handle(peer: Peer, p: Packet, at: number): void {
    try {
      const from = this.places.alias(peer.key, 0);
      if (at !== this.rt.thread && p.op !== 'request' && p.op !== 'answer') {
        // For one of this node's worker threads: it handles the packet as one from the main thread.
        delete (p as { at?: number }).at;
        const fabric = this.rt.fabric;
        if (fabric === undefined || !fabric.reaches(at)) return this.toLostThread(p, at);
        if (p.op === 'spawn') fabric.spawn(at, p);
        else fabric.send(at, p);
        return;
      }
      if (isActorPacket(p)) {
        // An actor that is here now needs no waiting (and no closure per packet).
        if (this.rt.localCell(p.to) !== undefined) this.arrivals.toActor(p, from);
        else this.arrivals.whenHere(p.to, () => this.arrivals.toActor(p, from));
        return;
      }
      switch (p.op) {
        case 'reply':
          return this.rt.router.arrive(packetToSignal(p, this.decoder), false);
        case 'spawn':
          return this.arrivals.adopt(p);
        case 'request': {
          const r = decodeValue((p as { body: unknown }).body, this.decoder) as Request;
          const req = (p as { req: number }).req;
          this.rt.router.request(at, r).then(
            (v) => this.answer(peer, req, v, false),
            (e) => this.answer(peer, req, e, true),
          );
          return;
        }
        case 'answer': {
          const r = this.requests.get(p.req);
          if (r === undefined || r.key !== peer.key) return;
          this.requests.delete(p.req);
          const value = decodeValue(p.value, this.decoder);
          if (p.failed) r.reject(value);
          else r.resolve(value);
          return;
        }
        default:
          return this.reject(`unexpected packet '${p.op}' from ${peer.node}`);
      }
    } catch (err) {
      this.rt.logger.error(`cluster: failed to handle '${p.op}' from node ${peer.node}: ${err}`, {
        error: err,
      });
    }
  }

  /** A packet for a thread of this node that is gone: answered as for a lost place. */
  private toLostThread(p: Packet, at: number): void {
    if (isActorPacket(p) || p.op === 'reply') {
      const s = packetToSignal(p, this.remoteDecoder(at));
      this.rt.router.route(s);
    }
  }

  private answer(peer: Peer, req: number, value: unknown, failed: boolean): void {
    if (!peer.up) return;
    const enc = encodeAnswer(value, failed);
    try {
      this.enqueue(peer.key, 0, { op: 'answer', req, failed: enc.failed, value: enc.v, load: enc.load });
    } catch (err) {
      // Too large for one message (MessageTooLargeError): the asker learns why.
      this.enqueue(peer.key, 0, {
        op: 'answer',
        req,
        failed: true,
        value: encodeValue(String(err), 'answer').v,
      });
    }
  }

  /** A decoder whose "own actors" are those of `place` (to answer for a signal that cannot be delivered). */
  private remoteDecoder(place: number): ThreadDecoder {
    const rt = this.rt;
    const d = new ThreadDecoder(rt);
    d.here = (id: number) => rt.bindRef(id, place, 'actor');
    d.replyRef = (callId: number) => rt.bindRef(0, place, 'reply', callId) as never;
    return d;
  }

  // ---- breaks and losses ----

  /**
   * The session with `peer` lost (or may have lost) signals: report 'noconnection' for everything that
   * involved it, and start a new session (announcing `cause` to the other side).
   */
  private breakSession(peer: Peer, why: string, cause: 'broken' | 'ack' = 'broken'): void {
    this.counters.breaks++;
    this.rt.logger.warn(
      `cluster: connection to node ${peer.node} broken (${why}); links and monitors get 'noconnection'`,
    );
    this.restart(peer, cause);
    this.lostPlaces(peer);
  }

  /** A new outgoing session with `peer`; its first batch announces `cause` (sent even with nothing else). */
  private restart(peer: Peer, cause: 'start' | 'broken' | 'ack'): void {
    peer.body.reset();
    peer.outEpoch = randomEpoch();
    peer.outSeq = 0;
    peer.announce = cause;
    // What it is about: the other side's session as it was when this one broke.
    peer.announceSeen = peer.seenEpoch;
    this.dirty.add(peer);
    if (!this.flushing) {
      this.flushing = true;
      queueMicrotask(() => this.flush());
    }
  }

  private down(peer: Peer, why: 'timeout' | 'bye' | 'replaced' | 'disconnected'): void {
    if (why === 'bye' || why === 'replaced') peer.gone = true;
    if (!peer.up) return;
    peer.up = false;
    peer.body.reset();
    this.dirty.delete(peer);
    if (this.current.get(peer.node) === peer.key) this.current.delete(peer.node);
    this.rt.logger.debug(`cluster: node ${peer.node} is down (${why})`);
    this.tableChanged();
    // A node that left or was replaced: its names are free again (every survivor tries; the table's
    // compare-and-set frees each once). A silent one's names are only hidden: it may come back.
    if (this.kvNames !== undefined && peer.gone) {
      void this.kvNames
        .releaseOwner(peer.key)
        .catch((err) => this.rt.logger.debug(`cluster names: names of ${peer.node} not freed: ${err}`));
    }
    this.lostPlaces(peer);
    const watchers = this.nodeWatchers.get(peer.node);
    this.nodeWatchers.delete(peer.node);
    if (watchers !== undefined) {
      for (const w of watchers) w.sendWith('NODEDOWN', null, [peer.node, 'noconnection'], {});
    }
  }

  /** Everything on `peer`'s places is 'noconnection' here and on this node's worker threads. */
  private lostPlaces(peer: Peer): void {
    for (const [req, r] of [...this.requests]) {
      if (r.key !== peer.key) continue;
      this.requests.delete(req);
      r.reject(new PlaceLostError(0));
    }
    const places = [...this.places.placesOf(peer.key)];
    // Spawns from it that may have been lost: what waits for them meets a missing actor now.
    this.arrivals.giveUp(places);
    const fabric = this.rt.fabric;
    for (const t of fabric?.reached ?? []) fabric!.send(t, { op: 'remoteLost', places, down: !peer.up });
    for (const place of places) this.rt.router.lost(place);
  }

  /** Our own connection dropped: whatever was in flight may be lost, with every node. */
  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (this.closed) return;
      if (s.type === 'disconnect') {
        // Whatever was in flight may be lost (the client does not keep it across a reconnect): every
        // session breaks now, and until the connection is back nothing is sent (signals are answered
        // 'noconnection' at once). The new sessions start once it is back.
        this.offline = true;
        for (const peer of this.peers.values()) {
          if (!peer.up) continue;
          this.counters.breaks++;
          this.rt.logger.warn(
            `cluster: disconnected from NATS; links and monitors to node ${peer.node} get 'noconnection'`,
          );
          peer.body.reset();
          // Its session to us is over too: what it sends until it has heard of this is refused (it
          // reports the break itself when our new session's announcement reaches it).
          if (peer.inEpoch !== -1) peer.ended.add(peer.inEpoch);
          peer.inEpoch = -1;
          peer.inSeq = 0;
          this.lostPlaces(peer);
        }
      } else if (s.type === 'reconnect') {
        this.offline = false;
        // The silence was ours: give every node a new grace period. New sessions start once each node
        // is heard from again (what is published before it has subscribed again would be lost); the
        // hello makes them answer at once.
        const now = this.now();
        for (const peer of this.peers.values()) {
          peer.heard = now;
          if (peer.up) peer.waiting = true;
        }
        this.heartbeat(true);
      }
    }
  }

  /** @internal For tests: the peer states. */
  peerStates(): { node: string; key: string; up: boolean; threads: number[] }[] {
    return [...this.peers.values()].map((p) => ({ node: p.node, key: p.key, up: p.up, threads: p.threads }));
  }

  /** @internal */
  get connection(): NatsConnection | undefined {
    return this.nc;
  }

  /** @internal Live cells of watchers are not tracked here; a watcher that exits is removed lazily. */
  forgetWatcher(_cell: Cell): void {}
}

/** `parley.<cluster>.n.<node>`: every batch for that node. */
function nodeSubject(cluster: string, node: string): string {
  return `parley.${cluster}.n.${node}`;
}

function randomHex16(): string {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function randomEpoch(): number {
  const b = new Uint32Array(1);
  crypto.getRandomValues(b);
  return b[0]! + 1;
}

const ACTOR_OPS = new Set(['msg', 'exit', 'link', 'unlink', 'monitor', 'demonitor', 'down', 'named']);

/** The shape of a packet after decoding (before its places are rewritten); TypeError if it is wrong. */
function checkShape(p: Record<string, unknown>): void {
  const op = p.op;
  const isArr = Array.isArray;
  // Fields only a thread of this node may set (urgent exits, packets applied ahead): never from the wire.
  delete p.xid;
  delete p.urgent;
  delete p.applied;
  if (p.load !== undefined && p.load !== null) {
    if (!isArr(p.load) || !p.load.every(isDescriptor)) badPacket(op, 'load');
  }
  if (typeof op !== 'string') badPacket(op, 'op');
  if (ACTOR_OPS.has(op as string) && !idOk(p.to)) badPacket(op, 'to');
  switch (op) {
    case 'msg':
    case 'reply':
      if (op === 'reply' && !Number.isSafeInteger(p.call)) badPacket(op, 'call');
      if (!isArr(p.m) || p.m.length !== 4 || typeof p.m[0] !== 'string') badPacket(op, 'message');
      if (p.plain === true && !isArr(p.m[2])) badPacket(op, 'args');
      return;
    case 'exit':
    case 'down':
      if (!isArr(p.from)) badPacket(op, 'from');
      if (op === 'exit' && typeof p.viaLink !== 'boolean') badPacket(op, 'viaLink');
      if (op === 'down' && !idOk(p.mref)) badPacket(op, 'mref');
      return;
    case 'link':
    case 'unlink':
      if (!isArr(p.from)) badPacket(op, 'from');
      return;
    case 'monitor':
      if (!isArr(p.watcher) || !idOk(p.mref)) badPacket(op, 'watcher');
      return;
    case 'demonitor':
      if (!idOk(p.mref)) badPacket(op, 'mref');
      return;
    case 'named':
      if (p.name !== undefined && p.name !== null && typeof p.name !== 'string') badPacket(op, 'name');
      if (p.name === null) p.name = undefined;
      return;
    case 'spawn':
      if (
        !idOk(p.id) ||
        typeof p.name !== 'string' ||
        !isDescriptor(p.target) ||
        typeof p.link !== 'boolean'
      ) {
        badPacket(op, 'fields');
      }
      if (p.parent !== null && !isArr(p.parent)) badPacket(op, 'parent');
      if (typeof p.born !== 'number') badPacket(op, 'born');
      return;
    case 'request':
      if (!Number.isSafeInteger(p.req)) badPacket(op, 'req');
      return;
    case 'answer':
      if (!Number.isSafeInteger(p.req) || typeof p.failed !== 'boolean') badPacket(op, 'req');
      return;
    default:
      badPacket(op, 'unknown op');
  }
}

/** An id on the wire: a number (the sender's place) or a string naming a node's thread. */
function idOk(v: unknown): boolean {
  return typeof v === 'string' || (Number.isSafeInteger(v) && (v as number) >= 0);
}

function badPacket(op: unknown, what: string): never {
  throw new TypeError(`bad ${String(op)} packet: ${what}`);
}

function isDescriptor(d: unknown): boolean {
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof (d as { module?: unknown }).module === 'string' &&
    typeof (d as { name?: unknown }).name === 'string'
  );
}

export type { ActorExitedError };
export { ID_SPACE };
