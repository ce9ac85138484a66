/**
 * @internal How a worker thread reaches other nodes: through its node's main thread, which holds the
 * cluster connection. Signals for other nodes' places go to the main thread as `fwd` packets (the packet
 * the thread transport would make, and the place it is for), in the one order of this thread's traffic
 * to the main thread; the main thread's cluster transport sends them on. Requests go as `via` requests.
 * A place the main thread reports lost (`remoteLost`) is answered as the router answers any lost place.
 */
import { NoSuchNodeError } from '../core/errors.js';
import type { ActorRef } from '../core/ref.js';
import type { AnswerOf, Request, Signal } from '../router/signal.js';
import { REMOTE_BASE, type Transport } from '../router/transport.js';
import type { ClusterNode } from '../runtime/cluster-hook.js';
import type { Fabric } from '../threads/fabric.js';
import { type SpawnPacket, signalToPacket } from '../threads/protocol.js';

export class ViaMain implements Transport, ClusterNode {
  /** This node's name ('' until the main thread has said it: not in a cluster, or not yet). */
  node = '';
  /** Nodes up, as the main thread last said, with their places (threads) here. */
  private table = new Map<string, number[]>();
  private readonly placeNames = new Map<number, string>();
  private next = 0;
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly fabric: Fabric) {}

  /** The main thread's view of the cluster (sent whenever it changes). */
  /** Called when the main thread first says the node is in a cluster. */
  onLearn: (() => void) | undefined = undefined;

  learn(self: string, table: [string, number[], number[]][]): void {
    if (this.node === '') this.onLearn?.();
    this.node = self;
    this.table = new Map(table.map(([node, places]) => [node, places]));
    for (const [node, places, threads] of table) {
      for (let i = 0; i < places.length; i++) {
        this.placeNames.set(places[i]!, threads[i] === 0 ? node : `${node}/${threads[i]}`);
      }
      const w = this.waiting.get(node);
      this.waiting.delete(node);
      if (w !== undefined) for (const wake of w) wake();
    }
  }

  join(): Promise<void> {
    return Promise.resolve();
  }

  leave(): Promise<void> {
    return Promise.resolve();
  }

  /** Round-robin over the node's worker threads (its main thread if it has none). */
  placeOn(node: string): number {
    const places = this.table.get(node);
    if (places === undefined) throw new NoSuchNodeError(node, this.nodes());
    return places.length === 1 ? places[0]! : places[1 + (this.next++ % (places.length - 1))]!;
  }

  nodes(): string[] {
    return this.node === '' ? [] : [this.node, ...this.table.keys()];
  }

  whenUp(node: string): Promise<void> {
    if (node === this.node || this.table.has(node)) return Promise.resolve();
    return new Promise((resolve) => {
      let w = this.waiting.get(node);
      if (w === undefined) this.waiting.set(node, (w = []));
      w.push(resolve);
    });
  }

  monitorNode(node: string, watcher: ActorRef): void {
    void this.fabric.request(0, { q: 'monitorNode', node, watcher, on: true });
  }

  demonitorNode(node: string, watcher: ActorRef): void {
    void this.fabric.request(0, { q: 'monitorNode', node, watcher, on: false });
  }

  nodeOfPlace(place: number): string {
    return (this.placeNames.get(place) ?? this.node).split('/')[0]!;
  }

  placeText(place: number): string {
    const name = this.placeNames.get(place);
    if (name !== undefined) return name;
    if (this.node === '' || place >= REMOTE_BASE) return String(place);
    return place === 0 ? this.node : `${this.node}/${place}`;
  }

  /** The main thread decides (it answers for a lost node as the router would). */
  reaches(_place: number): boolean {
    return this.fabric.reaches(0);
  }

  post(place: number, s: Signal): void {
    this.fabric.send(0, { op: 'fwd', place, p: signalToPacket(s) });
  }

  spawn(place: number, p: SpawnPacket): void {
    this.fabric.send(0, { op: 'fwd', place, p });
  }

  request<R extends Request>(place: number, r: R): Promise<AnswerOf<R>> {
    return this.fabric.request(0, { q: 'via', place, r }) as Promise<AnswerOf<R>>;
  }

  close(): void {}
}
