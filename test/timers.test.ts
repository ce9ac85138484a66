import { expect } from 'chai';
import sinon from 'sinon';
import {
  exit,
  InvalidArgumentError,
  NotCloneableError,
  Runtime,
  RuntimeStoppedError,
  sendAfter,
  TaskletController,
} from '../src/index.js';
import { gate } from './conformance/actors.js';
import { Notes, Timed } from './conformance/api-actors.js';
import { settle, spyLogger } from './conformance/harness.js';

/** Timers on a fake clock (sinon drives the runtime's clock: it reads the globals at each use). */
describe('timers (fake clock)', () => {
  let clock: sinon.SinonFakeTimers;
  let rt: Runtime;
  let logger: ReturnType<typeof spyLogger>;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    logger = spyLogger();
    rt = new Runtime({ controller: new TaskletController(), logger });
  });

  afterEach(async () => {
    await rt.shutdown();
    clock.restore();
    expect(rt.stats()).to.deep.equal({ actors: 0, calls: 0, deadlines: 0, names: 0 });
  });

  describe('sendAfter(ms, to, tag, ...args)', () => {
    it('sends [tag, null, args, {}] once ms have passed, not before', async () => {
      const n = rt.spawn(Notes);
      const t = sendAfter(100, n, 'note', 1, 'a');
      expect(t.pending).to.equal(true);
      await clock.tickAsync(99);
      expect(await n.call('notes')).to.deep.equal([]);
      await clock.tickAsync(1);
      expect(t.pending).to.equal(false);
      expect(await n.call('notes')).to.deep.equal([{ args: [1, 'a'], senderIsNull: true }]);
    });

    it('is cancelled while pending: cancel() says true, and nothing is sent', async () => {
      const n = rt.spawn(Notes);
      const t = rt.sendAfter(100, n.ref, 'incr', 5);
      await clock.tickAsync(50);
      expect(t.cancel()).to.equal(true);
      expect(t.pending).to.equal(false);
      expect(t.cancel(), 'a second cancel').to.equal(false);
      await clock.tickAsync(500);
      expect(await n.call('count')).to.equal(0);
    });

    it('says false to a cancel() after it has fired (the message is sent)', async () => {
      const n = rt.spawn(Notes);
      const t = sendAfter(10, n, 'incr', 2);
      await clock.tickAsync(10);
      expect(t.cancel()).to.equal(false);
      expect(await n.call('count')).to.equal(2);
    });

    it('sends after 0 ms on the next timer turn', async () => {
      const n = rt.spawn(Notes);
      sendAfter(0, n, 'incr');
      expect(await n.call('count')).to.equal(0);
      await clock.tickAsync(0);
      expect(await n.call('count')).to.equal(1);
    });

    it('drops the message to an actor that died meanwhile, with no error', async () => {
      const n = rt.spawn(Notes);
      const t = sendAfter(10, n, 'incr');
      exit(n, 'kill');
      await settle();
      await clock.tickAsync(10);
      expect(t.pending).to.equal(false);
      expect(logger.warn.called).to.equal(false);
      expect(logger.error.called).to.equal(false);
    });

    it('is owned by the actor that started it: cancelled when that actor exits', async () => {
      const n = rt.spawn(Notes);
      const owner = rt.spawn(Timed);
      expect(await owner.call('sendAfter', [100, n.ref, 'incr', 1])).to.equal(true);
      owner.cast('armAndStop', 100, n.ref, 'incr', 10);
      await settle();
      await clock.tickAsync(1000);
      expect(await n.call('count'), 'both timers died with their owner').to.equal(0);
    });

    it('outside any actor is cancelled by runtime.shutdown()', async () => {
      const n = rt.spawn(Notes);
      const t = sendAfter(1000, n, 'incr');
      await rt.shutdown();
      expect(t.pending).to.equal(false);
      expect(clock.countTimers(), 'no timer left armed').to.equal(0);
    });

    it('refuses to start on a runtime that has shut down with RuntimeStoppedError', async () => {
      const n = rt.spawn(Notes);
      await rt.shutdown();
      expect(() => rt.sendAfter(10, n, 'incr')).to.throw(RuntimeStoppedError);
    });

    it('throws InvalidArgumentError naming what is wrong, before anything is armed', () => {
      const n = rt.spawn(Notes);
      const bad: [unknown, unknown, unknown, RegExp][] = [
        [-1, n, 'x', /ms must not be negative/],
        ['10', n, 'x', /ms must be a number of ms \(got the string '10'\)/],
        [Number.NaN, n, 'x', /got NaN/],
        [Number.POSITIVE_INFINITY, n, 'x', /at most 2147483647/],
        [2 ** 31, n, 'x', /at most 2147483647/],
        [10, 42, 'x', /ActorProxy or an ActorRef/],
        [10, n, 7, /tag must be a string/],
      ];
      for (const [ms, to, tag, re] of bad) {
        expect(() => sendAfter(ms as number, to as never, tag as string), String(re)).to.throw(
          InvalidArgumentError,
          re,
        );
        expect(() => rt.sendAfter(ms as number, to as never, tag as string), String(re)).to.throw(
          InvalidArgumentError,
          re,
        );
      }
      expect(clock.countTimers()).to.equal(0);
    });
  });

  describe('this.timers (keyed, per actor)', () => {
    it('sends once after ms with timers.once', async () => {
      const a = rt.spawn(Timed);
      await a.call('once', ['k', 100, 'hello']);
      expect(await a.call('isActive', ['k'])).to.equal(true);
      await clock.tickAsync(99);
      expect(await a.call('notes')).to.deep.equal([]);
      await clock.tickAsync(1);
      expect(await a.call('notes')).to.deep.equal([['hello']]);
      expect(await a.call('isActive', ['k'])).to.equal(false);
      expect(await a.call('cancel', ['k']), 'nothing left to cancel').to.equal(false);
    });

    it('sends every ms with timers.every until cancelled', async () => {
      const a = rt.spawn(Timed);
      await a.call('every', ['tick', 10]);
      await clock.tickAsync(35);
      expect(await a.call('ticks')).to.equal(3);
      expect(await a.call('cancel', ['tick'])).to.equal(true);
      await clock.tickAsync(100);
      expect(await a.call('ticks')).to.equal(3);
    });

    it('replaces the timer of a key that is started again', async () => {
      const a = rt.spawn(Timed);
      await a.call('once', ['k', 100, 'first']);
      await a.call('once', ['k', 50, 'second']);
      await clock.tickAsync(200);
      expect(await a.call('notes')).to.deep.equal([['second']]);
    });

    it('never delivers the queued message of a timer cancelled after it fired (Akka semantics)', async () => {
      const a = rt.spawn(Timed);
      const g = rt.spawn(gate);
      await a.call('once', ['k', 10, 'late']);
      const answer = a.call('cancelAfterGate', [g.ref, 'k']); // the actor is busy until the gate opens
      await settle();
      await clock.tickAsync(10); // the timer fires: its message is queued behind the busy handler
      g.cast('open');
      expect(await answer, '[isActive, cancel] while its message is queued').to.deep.equal([true, true]);
      await settle();
      expect(await a.call('notes')).to.deep.equal([]);
    });

    it('never delivers the queued message of a timer replaced after it fired', async () => {
      const a = rt.spawn(Timed);
      const g = rt.spawn(gate);
      await a.call('once', ['k', 10, 'first']);
      const busy = a.call('replaceAfterGate', [g.ref, 'k', 20, 'second']);
      await settle();
      await clock.tickAsync(10); // 'first' fires and waits in the mailbox behind the busy handler
      g.cast('open');
      await busy;
      await clock.tickAsync(20);
      expect(await a.call('notes')).to.deep.equal([['second']]);
    });

    it('stops a periodic timer for good: no tick is handled after the cancel', async () => {
      const a = rt.spawn(Timed);
      const g = rt.spawn(gate);
      await a.call('every', ['tick', 10]);
      const busy = a.call('cancelAfterGate', [g.ref, 'tick']);
      await settle();
      await clock.tickAsync(30); // ticks fire and queue while the actor is busy
      g.cast('open');
      expect(await busy, '[isActive, cancel]').to.deep.equal([true, true]);
      await clock.tickAsync(100);
      expect(await a.call('ticks'), 'the queued ticks were taken back').to.equal(0);
    });

    it('cancels every timer of an actor when it exits', async () => {
      const a = rt.spawn(Timed);
      await a.call('every', ['tick', 10]);
      await a.call('once', ['k', 50, 'x']);
      await clock.tickAsync(10);
      a.cast('stop');
      await settle();
      expect(clock.countTimers(), 'only the runtime deadline timer may remain').to.be.at.most(1);
      await clock.tickAsync(1000);
      expect(logger.debug.args.filter((c) => String(c[0]).includes("'tick'"))).to.deep.equal([]);
    });

    it('refuses a bad key, ms or tag with InvalidArgumentError (the actor runs on)', async () => {
      const a = rt.spawn(Timed);
      expect(await a.call('badTimer', ['once', undefined, 10, 't'])).to.match(
        /InvalidArgumentError: .*key must name/,
      );
      expect(await a.call('badTimer', ['once', 'k', -5, 't'])).to.match(
        /InvalidArgumentError: timers\.once\(key, ms, tag, \.\.\.args\): ms must not be negative/,
      );
      expect(await a.call('badTimer', ['every', 'k', 0, 't'])).to.match(
        /InvalidArgumentError: timers\.every\(key, ms, tag, \.\.\.args\): ms must be more than 0/,
      );
      expect(await a.call('badTimer', ['every', 'k', 10, 5])).to.match(
        /InvalidArgumentError: .*tag must be a string/,
      );
      expect(await a.call('isActive', ['k'])).to.equal(false);
    });
  });
});

describe('timers on a copying placement (fake clock)', () => {
  let clock: sinon.SinonFakeTimers;
  let rt: Runtime;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    rt = new Runtime({ controller: new TaskletController({ copyMessages: true }), logger: spyLogger() });
  });

  afterEach(async () => {
    await rt.shutdown();
    clock.restore();
  });

  it('refuses args that cannot be copied at the start, with NotCloneableError', () => {
    const n = rt.spawn(Notes);
    expect(() => sendAfter(10, n, 'note', () => 1)).to.throw(NotCloneableError, /args\[0\]/);
    expect(clock.countTimers()).to.equal(0);
  });

  it('sends the args as they were when the timer started', async () => {
    const n = rt.spawn(Notes);
    const list = [1];
    sendAfter(10, n, 'note', list);
    list.push(2);
    await clock.tickAsync(10);
    expect(await n.call('notes')).to.deep.equal([{ args: [[1]], senderIsNull: true }]);
  });

  it('takes back the queued message of a cancelled keyed timer here too', async () => {
    const a = rt.spawn(Timed);
    const g = rt.spawn(gate);
    await a.call('once', ['k', 10, { big: 'payload' }]);
    const answer = a.call('cancelAfterGate', [g.ref, 'k']);
    await settle();
    await clock.tickAsync(10);
    g.cast('open');
    expect(await answer).to.deep.equal([true, true]);
    expect(await a.call('notes')).to.deep.equal([]);
  });
});
