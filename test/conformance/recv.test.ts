import { expect } from 'chai';
import {
  type Message,
  me,
  NoCurrentActorError,
  ReceiveTimeoutError,
  recv,
  spawn,
  spawnWith,
} from '../../src/index.js';
import { Courier, receiveOne } from './actors.js';
import { onEveryController, settle } from './harness.js';

onEveryController('recv (selective receive)', (h) => {
  it('takes the first message a predicate accepts and leaves the others queued in order', async () => {
    const order = await h.runtime().run(async () => {
      const self = me();
      // Sent from another thread; they are all queued here once the courier has answered (FIFO).
      const courier = spawnWith(h.on(1), Courier);
      await courier.sendAll(
        self,
        [1, 2, 3, 4].map((n) => [n % 2 === 0 ? 'even' : 'odd', n]),
      );
      const first = await recv((m: Message) => m[0] === 'even');
      const rest: unknown[] = [first[2][0]];
      for (let i = 0; i < 3; i++) rest.push((await recv())[2][0]);
      return rest;
    });
    expect(order).to.deep.equal([2, 1, 3, 4]);
  });

  it('accepts a tag string as shorthand for a tag filter', async () => {
    const got = await h.runtime().run(async () => {
      await spawnWith(h.on(1), Courier).sendAll(me(), [
        ['a', 1],
        ['b', 2],
      ]);
      const [tag, , args] = await recv('b');
      return [tag, args];
    });
    expect(got).to.deep.equal(['b', [2]]);
  });

  it('gives the receiver of an argument-less message args it owns, queued or awaited', async () => {
    const got = await h.runtime().run(async () => {
      const self = me();
      const courier = spawnWith(h.on(1), Courier);
      await courier.sendAll(self, [['queued']]); // queued before the recv
      const [, , queued] = await recv('queued');
      courier.cast('sendAll', self, [['awaited']]); // arrives while the recv waits
      const [, , awaited] = await recv('awaited');
      queued.push(1);
      awaited.push(2);
      return [queued, awaited, Object.isFrozen(queued) || Object.isFrozen(awaited)];
    });
    expect(got).to.deep.equal([[1], [2], false]);
  });

  it('waits for a matching message that arrives later', async () => {
    const got = await h.runtime().run(async () => {
      const self = me();
      spawnWith(h.on(1), Courier).cast('sendAll', self, [['noise'], ['wanted', 42]]);
      const [, , [v]] = await recv('wanted');
      const [tag] = await recv();
      return [v, tag];
    });
    expect(got).to.deep.equal([42, 'noise']);
  });

  it('rejects with ReceiveTimeoutError when nothing matches within the timeout', async () => {
    const err = await h.runtime().run(async () => {
      await spawnWith(h.on(1), Courier).sendAll(me(), [['other']]);
      return recv('wanted', { timeout: 10 }).catch((e: any) => e);
    });
    expect(err).to.be.instanceOf(ReceiveTimeoutError);
    expect(err.code).to.equal('ERR_PARLEY_RECEIVE_TIMEOUT');
  });

  it('keeps a message that arrives after a receive timed out for the next recv', async () => {
    const got = await h.runtime().run(async () => {
      const courier = spawnWith(h.on(1), Courier);
      await recv('x', { timeout: 5 }).catch(() => {});
      courier.cast('sendAll', me(), [['x', 'later']]);
      return (await recv('x'))[2][0];
    });
    expect(got).to.equal('later');
  });

  it('rejects recv() with a filter that throws with that error', async () => {
    const err = await h.runtime().run(async () => {
      spawnWith(h.on(1), Courier).cast('sendAll', me(), [['m']]); // arrives while the recv waits
      return recv(() => {
        throw new Error('bad filter');
      }).catch((e: Error) => e.message);
    });
    expect(err).to.equal('bad filter');
  });

  it('rejects recv() and throws for me() outside an actor with NoCurrentActorError', async () => {
    // No runtime, no actor at all: the same on every controller, there is nothing to place.
    h.local('no runtime: recv() and me() are called outside any actor');
    expect(await recv().catch((e: unknown) => e)).to.be.instanceOf(NoCurrentActorError);
    expect(() => me()).to.throw(NoCurrentActorError, /outside an actor/);
  });

  it('returns the function actor value as its exit value once it has received', async () => {
    const rt = h.runtime();
    const got = await rt.run(async () => {
      const r = spawn(receiveOne);
      // The function actor stays here; its message comes from another thread (sent once answered).
      await spawnWith(h.on(1), Courier).castAll(r.ref, [['hello', 1]]);
      await settle();
      return 'sent';
    });
    expect(got).to.equal('sent');
  });
});
