/**
 * @internal How a worker thread reaches other nodes: through its node's main thread, which holds the
 * cluster connection. Signals for other nodes' places go to the main thread as `fwd` packets (the packet
 * the thread transport would make, and the place it is for), in the one order of this thread's traffic
 * to the main thread; the main thread's cluster transport sends them on. Requests go as `via` requests.
 * A place the main thread reports lost (`remoteLost`) is answered as the router answers any lost place.
 */
import type { AnswerOf, Request, Signal } from '../router/signal.js';
import type { Transport } from '../router/transport.js';
import type { Fabric } from '../threads/fabric.js';
import { type SpawnPacket, signalToPacket } from '../threads/protocol.js';

export class ViaMain implements Transport {
  constructor(private readonly fabric: Fabric) {}

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
