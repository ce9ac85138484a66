/**
 * The actors of the Parley cluster contestant (parley-cluster-node.ts), in a module of their own so that
 * the receiving node can import them by path: the sending node spawns them there with
 * `spawnWith({ node: 'recv' }, …)`.
 */
import { Actor, type ActorRef, handles } from '../../src/index.js';
import { PAYLOAD_BYTES } from '../nats.js';

/** The sink acknowledges every ACK_EVERY messages; the sender keeps at most WINDOW unacknowledged (as raw NATS). */
export const ACK_EVERY = 4096;
export const WINDOW = 16 * ACK_EVERY;

/**
 * Counts one-way messages, checking each one's size and sequence number (its first 4 bytes), and tells
 * `notify` how many it has every ACK_EVERY messages; `count` answers the count (-1 after a wrong message).
 */
export class Sink extends Actor {
  private n = 0;
  private wrong = false;
  constructor(private readonly notify: ActorRef) {
    super();
  }
  @handles('take') take(data: Uint8Array): void {
    const seq = data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24);
    if (data.length !== PAYLOAD_BYTES || seq !== this.n) this.wrong = true;
    this.n++;
    if (this.n % ACK_EVERY === 0) this.notify.send('ack', null, this.n);
  }
  @handles('count') count(): number {
    return this.wrong ? -1 : this.n;
  }
}

/** Answers every call with what it was given. */
export class Echo extends Actor {
  @handles('echo') echo(data: Uint8Array): Uint8Array {
    return data;
  }
}
