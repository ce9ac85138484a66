/** Actors for the ThreadController tests (top level of an importable module, as workers need). */
import { threadId } from 'node:worker_threads';
import { Actor, type ActorRef, handles, recv, send } from '../../src/index.js';

/** Says which OS thread it runs on, and can take the whole worker thread down. */
export class Where extends Actor {
  @handles('threadId') id(): number {
    return threadId;
  }

  /** Ends the worker thread with process.exit(), as a crash of the thread would. */
  @handles('exitThread') exitThread(): void {
    process.exit(3);
  }

  /** Throws outside any actor (in a timer callback): an uncaught error kills the worker thread. */
  @handles('throwOutside') throwOutside(): void {
    setTimeout(() => {
      throw new Error('uncaught outside any actor');
    }, 0);
  }
}

/** Counts 'n' messages; `total` returns the count. */
export class Tally extends Actor {
  private n = 0;
  @handles('n') bump(): void {
    this.n++;
  }
  @handles('total') total(): number {
    return this.n;
  }
}

/** Sends `count` numbered messages to `to`, then 'done'. */
export async function producer(to: ActorRef, count: number): Promise<void> {
  for (let i = 0; i < count; i++) send(to, 'n', i);
  await recv('never', { timeout: 1 }).catch(() => {});
}

/** Does blocking work: a synchronous busy loop of `ms` milliseconds. */
export class Cruncher extends Actor {
  @handles('crunch') crunch(ms: number): number {
    const end = Date.now() + ms;
    let x = 0;
    while (Date.now() < end) x++;
    return x;
  }
}

/** Answers at once. */
export class Echo extends Actor {
  @handles('echo') echo<T>(v: T): T {
    return v;
  }
}

/** Keeps the args of every 'item' message, in arrival order. */
export class Collector extends Actor {
  private list: unknown[] = [];
  @handles('item') item(v: unknown): void {
    this.list.push(v);
  }
  @handles('items') items(): unknown[] {
    return this.list;
  }
}

/**
 * Sends `n` 'item' messages to `to`, mixing plain ones (a number: a lane record) with ones that must
 * travel as packets (an object, a kwarg): the receiver must see them in the order sent.
 */
export class Mixer extends Actor {
  @handles('blast') async blast(to: ActorRef, n: number): Promise<number> {
    for (let i = 0; i < n; i++) {
      if (i % 10 === 3) to.send('item', null, { i });
      else if (i % 10 === 7) to.sendWith('item', null, [i], { note: 'kwargs' });
      else to.send('item', null, i);
    }
    // Order holds per sender→receiver pair: this call is answered after every item arrived.
    return (await this.runtime.proxy(to, Collector).items()).length;
  }

  /** `n` sequential calls to an Echo on another thread; returns the sum of the answers. */
  @handles('bounce') async bounce(to: ActorRef, n: number): Promise<number> {
    const echo = this.runtime.proxy(to, Echo);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (await echo.echo(1)) as number;
    return sum;
  }
}
