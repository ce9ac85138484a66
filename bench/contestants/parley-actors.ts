/** The actors of the Parley benchmarks (top level of an importable module, so threads can run them). */
import { Actor, type ActorRef, handles, spawn } from '../../src/index.js';
import { work } from './types.js';

export class Pong extends Actor {
  @handles('ping') ping(n: number): number {
    return n;
  }
}

/** Pings `pong` with itself as sender `n` times (each reply triggers the next), then tells `notify`. */
export class Pinger extends Actor {
  private left = 0;
  private pong!: ActorRef;
  private notify!: ActorRef;
  @handles('start') start(pong: ActorRef, n: number, notify: ActorRef): void {
    this.pong = pong;
    this.left = n;
    this.notify = notify;
    pong.send('ping', this.self, n);
  }
  @handles('reply') reply(n: number): void {
    if (--this.left === 0) this.notify.send('done', null, n);
    else this.pong.send('ping', this.self, n);
  }
}

export class RingNode extends Actor {
  private next!: ActorRef;
  private notify!: ActorRef;
  @handles('link') setNext(next: ActorRef, notify: ActorRef): void {
    this.next = next;
    this.notify = notify;
  }
  @handles('token') token(left: number): void {
    if (left === 0) this.notify.send('done', null, this.self.id);
    else this.next.send('token', null, left - 1);
  }
}

export class Counter extends Actor {
  private n = 0;
  @handles('incr') incr(): void {
    this.n++;
  }
  @handles('total') total(): number {
    return this.n;
  }
}

export class Worker extends Actor {
  @handles('compute') compute(n: number): number {
    return work(n);
  }
}

export class Idle extends Actor {
  @handles('noop') noop(): void {}
}

/** skynet: a leaf answers its number; an inner node spawns 10 children and sums their answers. */
export class SkyNode extends Actor {
  private sum = 0;
  private waiting = 10;
  private parent!: ActorRef;
  @handles('start') start(num: number, size: number, parent: ActorRef): void {
    this.parent = parent;
    if (size === 1) {
      parent.send('sum', null, num);
      this.stop();
      return;
    }
    const step = size / 10;
    for (let i = 0; i < 10; i++) spawn(SkyNode).send('start', null, num + i * step, step, this.self);
  }
  @handles('sum') add(v: number): void {
    this.sum += v;
    if (--this.waiting === 0) {
      this.parent.send('sum', null, this.sum);
      this.stop();
    }
  }
}

/** Sends `n` 'incr' casts to `to`, then asks it for the total and reports it to `notify`. */
export class Producer extends Actor {
  @handles('produce') async produce(to: ActorRef, n: number): Promise<number> {
    for (let i = 0; i < n; i++) to.send('incr', null);
    return this.runtime.proxy(to).call('total', [], undefined, { timeout: 120_000 });
  }
}
