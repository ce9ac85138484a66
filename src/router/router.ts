/**
 * The router: every signal of a place (a thread of a runtime) passes here, whatever its kind and wherever
 * it goes. It is where recording hangs (the recording sees messages, replies, exits, links, monitors,
 * DOWNs and name changes alike), and it either applies a signal to an actor of this place (apply.ts) or
 * hands it to the transport that reaches the target's place. A signal for a place no transport reaches
 * is answered here, once, as Erlang would: a call fails with 'noconnection', a link gets an exit signal
 * 'noconnection', a monitor a DOWN 'noconnection'.
 *
 * A signal is recorded once it is accepted: after the copy or encoding that may refuse it (NotCloneableError),
 * before it is applied here (so the recording keeps cause before effect on this place).
 *
 * `route(signal)` is the one entry. Messages and replies also have a field-wise entry (`message`,
 * `reply`) that does exactly what `route` does with a `msg`/`reply` signal without building the signal
 * object, because they are the hot path (a signal object is made only when one crosses to another place
 * or is recorded).
 */
import { type Cell, DEAD, ERROR_REPLY } from '../actors/cell.js';
import { ActorExitedError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { type ExitReason, type Kwargs, NO_KWARGS } from '../core/message.js';
import { type ActorRef, type Address, CELL, ReplyRef } from '../core/ref.js';
import { reduceReason } from '../wire/codec.js';
import { type ApplyHost, apply, failCallTo } from './apply.js';
import { InProcessTransport } from './in-process.js';
import type { AnswerOf, Request, Signal } from './signal.js';
import { PlaceLostError, REMOTE_BASE, type Transport, type TransportSink } from './transport.js';

/** What the router needs of the runtime of its place. */
export interface RouterHost {
  readonly logger: Logger;
  /** The cell with this id on this place (alive or exiting), if any. */
  cellById(id: number): Cell | undefined;
  /** Completes a pending call; false if it is no longer pending. */
  complete(callId: number, tag: string, args: unknown[]): boolean;
  /** Binds a copied ref to this place (copying on one thread). */
  revive(ref: ActorRef): ActorRef;
  /** Answers a control request from another place (or this one). */
  answer<R extends Request>(request: R): Promise<AnswerOf<R>>;
  /** `place` is lost: 'noconnection' for everything here that knew of it. */
  lost(place: number): void;
}

/** Records one signal; `applied`: a notice (EXIT, DOWN) queued into a mailbox by `apply`. */
export type SignalObserver = (signal: Signal) => void;

export class Router implements ApplyHost, TransportSink {
  private transport: Transport | undefined = undefined;
  /** The transport to other nodes' places (REMOTE_BASE and up): the cluster, or a worker's way to it. */
  private remote: Transport | undefined = undefined;
  /** The in-process transport: signals for this place's own actors. */
  private readonly here: InProcessTransport;
  private observer: SignalObserver | undefined = undefined;

  constructor(
    private readonly host: RouterHost,
    /** This place's number (the thread part of its refs). */
    readonly place: number,
    /** Copy what is applied here, as a thread boundary would (TaskletController({ copyMessages })). */
    copy: boolean,
  ) {
    this.here = new InProcessTransport(place, this, copy, (ref) => host.revive(ref));
  }

  /** Joins this place to others (once: a worker thread at start, the main thread when it starts workers). */
  connect(transport: Transport): void {
    if (this.transport !== undefined && this.transport !== transport) {
      throw new Error('internal: a router is connected to one transport');
    }
    this.transport = transport;
  }

  /** Joins this place to other nodes' places (a cluster; on a worker thread, through the main thread). */
  connectRemote(transport: Transport): void {
    this.remote = transport;
  }

  /** The transport to other nodes, if this place has one. */
  get remoteTransport(): Transport | undefined {
    return this.remote;
  }

  /** Records every signal from now on (undefined: stop). */
  observe(observer: SignalObserver | undefined): void {
    this.observer = observer;
  }

  get connected(): Transport | undefined {
    return this.transport;
  }

  // ---- the one entry ----

  route(s: Signal): void {
    const observer = this.observer;
    const place = s.to.thread;
    if (place === this.place) {
      if (observer === undefined) return this.here.post(place, s);
      // A message that cannot be copied is refused (NotCloneableError) before it is recorded as sent.
      const copy = this.here.copyOf(s);
      observer(s);
      return this.here.deliver(copy);
    }
    const t = place >= REMOTE_BASE ? this.remote : this.transport;
    if (t === undefined || !t.reaches(place)) {
      if (observer !== undefined) observer(s);
      return this.unreachable(place, s);
    }
    const sent = s;
    if (s.kind === 'exit' || s.kind === 'down') s = { ...s, reason: crossable(s.reason) };
    else if (s.kind === 'reply' && s.tag === ERROR_REPLY) s = { ...s, args: [crossable(s.args[0])] };
    // Encoding for the other thread refuses what cannot cross (NotCloneableError) before anything is
    // posted, so a refused send throws here and is not recorded; a posted one is recorded as sent. (A
    // message held back while the lane to that thread is full is encoded later, by the threads layer.)
    t.post(place, s, s.kind === 'exit');
    if (observer !== undefined) observer(sent);
  }

  /** `route({ kind: 'msg', … })` without the signal object. */
  message(to: ActorRef, tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    if (this.observer !== undefined) return this.route({ kind: 'msg', to, tag, sender, args, kwargs });
    let cell = to[CELL];
    if (cell === undefined) {
      const place = to.thread;
      if (place !== this.place) {
        const t = place >= REMOTE_BASE ? this.remote : this.transport;
        if (t === undefined || !t.reaches(place)) {
          return this.unreachable(place, { kind: 'msg', to, tag, sender, args, kwargs });
        }
        return t.post(place, { kind: 'msg', to, tag, sender, args, kwargs });
      }
      cell = this.host.cellById(to.id);
    }
    this.here.message(cell, to, tag, sender, args, kwargs);
  }

  /** `route({ kind: 'reply', … })` without the signal object. */
  reply(to: ReplyRef, tag: string, sender: Address | null, args: unknown[], kwargs: Kwargs): void {
    if (this.observer !== undefined || to.thread !== this.place || tag === ERROR_REPLY) {
      return this.route({ kind: 'reply', to, tag, sender, args, kwargs });
    }
    this.here.reply(to.callId, tag, args);
  }

  /** Asks `place` a control question (this place answers its own). */
  request<R extends Request>(place: number, r: R): Promise<AnswerOf<R>> {
    if (place === this.place) return this.here.request(place, r);
    const t = place >= REMOTE_BASE ? this.remote : this.transport;
    if (t === undefined || !t.reaches(place)) {
      try {
        return Promise.resolve(unreachableAnswer(place, r));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return t.request(place, r).catch((err: unknown) => {
      if (err instanceof PlaceLostError) return unreachableAnswer(place, r);
      throw err;
    });
  }

  /** Places the transport reaches (besides this one). */
  reaches(place: number): boolean {
    if (place === this.place) return true;
    const t = place >= REMOTE_BASE ? this.remote : this.transport;
    return t?.reaches(place) === true;
  }

  // ---- TransportSink: what other places send here ----

  arrive(s: Signal, _urgent: boolean): void {
    apply(this, s);
  }

  answer<R extends Request>(r: R): Promise<AnswerOf<R>> {
    return this.host.answer(r);
  }

  lost(place: number): void {
    this.host.lost(place);
  }

  // ---- ApplyHost ----

  liveCell(ref: ActorRef): Cell | undefined {
    const cell = ref[CELL] ?? (ref.thread === this.place ? this.host.cellById(ref.id) : undefined);
    return cell === undefined || cell.state === DEAD ? undefined : cell;
  }

  notify(cell: Cell, tag: 'EXIT' | 'DOWN', from: ActorRef, args: unknown[]): void {
    if (this.observer !== undefined) {
      this.observer({ kind: 'msg', to: cell.ref, tag, sender: from, args, kwargs: NO_KWARGS });
    }
    cell.enqueue(tag, from, args, NO_KWARGS);
  }

  complete(callId: number, tag: string, args: unknown[]): boolean {
    return this.host.complete(callId, tag, args);
  }

  /**
   * A message an actor's own timer sends it (`this.timers`): recorded like any message, queued as it is
   * (the timer made `args` for this one message, a copy on copying placements), with no sender.
   */
  toSelf(cell: Cell, tag: string, args: unknown[]): void {
    if (this.observer !== undefined) {
      this.observer({ kind: 'msg', to: cell.ref, tag, sender: null, args, kwargs: NO_KWARGS });
    }
    cell.enqueue(tag, null, args, NO_KWARGS);
  }

  deadLetter(to: ActorRef, tag: string, sender: Address | null): void {
    if (failCallTo(this, to, sender)) return;
    this.debug(`message '${tag}' to ${to} dropped: no such actor (dead letter)`);
  }

  released(name: string, id: number): void {
    void this.request(0, { q: 'release', name, id }).catch(() => undefined);
  }

  debug(message: string): void {
    this.host.logger.debug(message);
  }

  // ---- places nobody reaches ----

  /** `s` is for a place that is lost (or never was): answer as Erlang does for a lost node. */
  private unreachable(place: number, s: Signal): void {
    switch (s.kind) {
      case 'msg':
        if (s.sender instanceof ReplyRef) {
          const err = new ActorExitedError('noconnection', s.to, `(its thread ${place} is not reachable)`);
          this.route({
            kind: 'reply',
            to: s.sender,
            tag: ERROR_REPLY,
            sender: s.to,
            args: [err],
            kwargs: NO_KWARGS,
          });
          return;
        }
        break;
      case 'link':
        this.route({ kind: 'exit', to: s.from, from: s.to, reason: 'noconnection', viaLink: true });
        return;
      case 'monitor':
        this.route({ kind: 'down', to: s.watcher, from: s.to, reason: 'noconnection', mref: s.mref });
        return;
    }
    this.debug(`${s.kind} for ${s.to} dropped: its thread ${place} is not reachable`);
  }
}

/** What a request to an unreachable place answers: the actor there is gone ('noconnection'). */
function unreachableAnswer<R extends Request>(place: number, r: R): AnswerOf<R> {
  const answers: { [Q in Request['q']]?: unknown } = {
    alive: { alive: false },
    started: 'noconnection',
    watch: true,
    list: {
      place,
      ids: new Float64Array(0),
      parents: new Float64Array(0),
      parentPlaces: new Float64Array(0),
      born: new Float64Array(0),
      flags: new Uint8Array(0),
      names: '[]',
    },
    stop: true,
  };
  if (r.q in answers) return answers[r.q] as AnswerOf<R>;
  throw new ActorExitedError('noconnection', undefined, `(thread ${place} is not reachable)`);
}

/** A reason as it can cross a boundary: itself if it can, else a cloneable description of it. */
function crossable(reason: ExitReason): ExitReason {
  return reduceReason(reason);
}
