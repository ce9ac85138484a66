/**
 * A caller's bad call, cast or send is refused at the caller's side, on every controller: the actor it
 * addresses — on another worker thread too — never sees it and keeps running (on threads, non-array args
 * used to kill the receiving worker thread, and a tag that is not a string threw a TypeError from the lane
 * writer). The full table of bad inputs is in test/bad-input/calls.test.ts.
 */
import { expect } from 'chai';
import { InvalidArgumentError, InvalidOptionError } from '../../src/index.js';
import { Caller, Probe } from './actors.js';
import { onEveryController } from './harness.js';

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (value) => expect.fail(`resolved with ${String(value)}`),
    (err: unknown) => err,
  );

onEveryController('Bad call, cast and send arguments', (h) => {
  it('refuses a call whose args are not an array at the caller, and the callee on another thread keeps running', async () => {
    const rt = h.runtime();
    const p = rt.spawnWith(h.on(1), Probe);
    for (const bad of [5, 'abc']) {
      const err = await failure(p.call('incr', bad as never));
      expect(err).to.be.instanceOf(InvalidArgumentError);
      expect((err as Error).message).to.match(/args must be an array/);
    }
    expect(await p.call('incr', [2])).to.equal(2);
    expect(h.logger.error.called).to.equal(false);
  });

  it('refuses a cast, send or call whose tag is not a string at the caller; the actor on another thread never sees it', async () => {
    const rt = h.runtime();
    const p = rt.spawnWith(h.on(1), Probe);
    expect(() => p.cast(undefined as never, 1)).to.throw(InvalidArgumentError, /tag must be a string/);
    expect(() => p.send(42 as never, null, 1)).to.throw(InvalidArgumentError, /tag must be a string/);
    expect(await failure(p.call(undefined as never, [1]))).to.be.instanceOf(InvalidArgumentError);
    expect(await p.call('seen')).to.deep.equal([]);
    expect(h.logger.warn.called || h.logger.error.called).to.equal(false);
  });

  it('refuses a call whose kwargs are not a plain object at the caller', async () => {
    const rt = h.runtime();
    const p = rt.spawnWith(h.on(1), Probe);
    const err = await failure(p.call('note', [1], 'abc' as never));
    expect(err).to.be.instanceOf(InvalidArgumentError);
    expect(await p.call('seen')).to.deep.equal([]);
  });

  it("refuses a bad call made on a worker thread there, with the caller's named error", async () => {
    const rt = h.runtime();
    const target = rt.spawnWith(h.on(2), Probe);
    const caller = rt.spawnWith(h.on(1), Caller);
    const badTimeout = await caller.callOf(target.ref, 'incr', [1], '100' as never);
    expect(badTimeout.error).to.be.instanceOf(InvalidOptionError);
    expect((badTimeout.error as Error).message).to.match(/call options\.timeout must be a number of ms/);
    const badArgs = await caller.callOf(target.ref, 'incr', 1 as never);
    expect(badArgs.error).to.be.instanceOf(InvalidArgumentError);
    expect(await target.call('get')).to.equal(0);
  });

  it('shuts down actors on every thread with shutdownTimeout: Infinity (no kill deadline: it waits)', async () => {
    const rt = h.runtime({ shutdownTimeout: Number.POSITIVE_INFINITY });
    const p = rt.spawnWith(h.on(1), Probe);
    expect(await p.call('incr', [1])).to.equal(1);
    await rt.shutdown();
    expect(rt.stats().actors).to.equal(0);
  });
});
