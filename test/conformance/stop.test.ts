/**
 * Stop with a reply (OTP's `{stop, Reason, Reply, State}`): `this.stop(reason)` inside the handler that is
 * running lets the handler finish, runs onStop, answers the caller with the handler's result, then exits
 * with the reason (monitors see it). The caller runs on another thread than the actor it calls.
 */
import { expect } from 'chai';
import { onEveryController } from './harness.js';
import { StopCaller, type StopOutcome, Stopper } from './stop-actors.js';

onEveryController('this.stop() inside a handler (stop with a reply)', (h) => {
  async function outcome(tag: string, arg?: unknown): Promise<StopOutcome> {
    const rt = h.runtime();
    const caller = rt.spawnWith(h.on(1), StopCaller);
    const stopper = rt.spawnWith(h.on(2), Stopper, caller.ref);
    return (await caller.call('go', [stopper.ref, tag, arg], undefined, { timeout: 60_000 })) as StopOutcome;
  }

  it("answers a call with a sync handler's result (after onStop), then exits with the reason", async function () {
    this.timeout(60_000);
    const out = await outcome('die', 'bye');
    expect(out.first).to.equal('sync reply');
    expect(out.noteBeforeReply, 'onStop ran before the reply was sent').to.equal(true);
    expect(out.down).to.equal('bye');
    expect(out.second, 'a call queued behind it').to.match(/^ActorExitedError: .*bye/);
  });

  it("answers a call with an async handler's result once it settles, then exits with the reason", async function () {
    this.timeout(60_000);
    const out = await outcome('dieLater', 'bye');
    expect(out.first).to.equal('async reply');
    expect(out.noteBeforeReply, 'onStop ran before the reply was sent').to.equal(true);
    expect(out.down).to.equal('bye');
    expect(out.second, 'a call that arrived while the handler awaited').to.match(/^ActorExitedError: .*bye/);
  });

  it('exits with the reason when the handler of a cast stops it', async function () {
    this.timeout(60_000);
    const out = await outcome('quit', 'quit');
    expect(out).to.deep.equal({ down: 'quit' });
  });

  it('crashes with the error of a handler that throws after stopping, and the caller gets that error', async function () {
    this.timeout(60_000);
    const out = await outcome('dieThenThrow');
    expect(out.first).to.equal('Error: thrown after stop');
    expect(out.down).to.equal('Error: thrown after stop');
  });

  it('exits with the reason of the first stop when a handler stops twice', async function () {
    this.timeout(60_000);
    const out = await outcome('stopTwice');
    expect(out.first).to.equal('twice');
    expect(out.down).to.equal('first');
  });
});
