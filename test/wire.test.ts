import { expect } from 'chai';
import {
  type ActorRef,
  me,
  NotCloneableError,
  Runtime,
  recv,
  send,
  spawn,
  TaskletController,
  UnknownTagError,
} from '../src/index.js';
import { Probe } from './conformance/actors.js';

describe('TaskletController({ copyMessages: true })', () => {
  let rt: Runtime;
  beforeEach(() => {
    rt = new Runtime({ controller: new TaskletController({ copyMessages: true }) });
  });
  afterEach(() => rt.shutdown());

  it('fails at the send with NotCloneableError naming the path of a function', async () => {
    const p = rt.spawn(Probe);
    let err: unknown;
    try {
      p.cast('note', { ok: 1, nested: [0, { handler: () => 1 }] });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(NotCloneableError);
    expect((err as NotCloneableError).path).to.equal('args[0].nested[1].handler');
    expect((err as NotCloneableError).code).to.equal('ERR_PARLEY_NOT_CLONEABLE');
    // The receiver is unharmed and got nothing.
    expect(await p.seenList()).to.deep.equal([]);
  });

  it('fails a call synchronously with NotCloneableError and leaves no pending call', async () => {
    const p = rt.spawn(Probe);
    expect(() => p.call('note', [Symbol('s')])).to.throw(NotCloneableError, /args\[0\] \(symbol\)/);
    expect(() => p.call('note', [], { cb: Promise.resolve() })).to.throw(NotCloneableError, /kwargs\.cb/);
    expect(rt.stats().calls).to.equal(0);
  });

  it('copies values: the receiver never sees the sender mutate them', async () => {
    const p = rt.spawn(Probe);
    const value = { n: 1, list: [1, 2] };
    p.cast('note', value);
    value.n = 2;
    value.list.push(3);
    expect(await p.seenList()).to.deep.equal([{ n: 1, list: [1, 2] }]);
  });

  it('strips class prototypes as structured clone does', async () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      norm() {
        return Math.hypot(this.x, this.y);
      }
    }
    const p = rt.spawn(Probe);
    p.cast('note', new Point(3, 4));
    const [seen] = (await p.seenList()) as object[];
    expect(seen).to.deep.equal({ x: 3, y: 4 });
    expect(seen).to.not.be.instanceOf(Point);
  });

  it('keeps cycles, Maps, Sets and Dates', async () => {
    const p = rt.spawn(Probe);
    const cyc: Record<string, unknown> = { name: 'c' };
    cyc.self = cyc;
    p.cast('note', { cyc, m: new Map([['k', 1]]), s: new Set([1]), d: new Date(5) });
    const [seen] = (await p.seenList()) as {
      cyc: { self: unknown };
      m: Map<string, number>;
      s: Set<number>;
      d: Date;
    }[];
    expect(seen.cyc.self).to.equal(seen.cyc);
    expect(seen.m.get('k')).to.equal(1);
    expect(seen.s.has(1)).to.equal(true);
    expect(seen.d.getTime()).to.equal(5);
  });

  it('delivers ActorRefs inside messages as working refs', async () => {
    const got = await rt.run(async () => {
      const echo = spawn(async () => {
        const [, , [replyTo]] = await recv('where');
        send(replyTo as ActorRef, 'here', 'pong');
      });
      echo.cast('where', me());
      const [, , [v]] = await recv('here');
      return v;
    });
    expect(got).to.equal('pong');
  });

  it('keeps the class, code and message of a Parley error crossing the boundary', async () => {
    const p = rt.spawn(Probe);
    const err: any = await p.call('nope').catch((e: any) => e);
    expect(err).to.be.instanceOf(UnknownTagError);
    expect(err.code).to.equal('ERR_PARLEY_UNKNOWN_TAG');
  });

  it('keeps the name, message, code and stack of a user error', async () => {
    class MyError extends Error {
      code = 'E_MINE';
      override name = 'MyError';
    }
    const p = rt.spawn(Probe);
    p.cast('note', new MyError('mine'));
    const [e] = (await p.seenList()) as (Error & { code: string })[];
    expect(e).to.be.instanceOf(Error);
    expect([e.name, e.message, e.code]).to.deep.equal(['MyError', 'mine', 'E_MINE']);
    expect(e.stack).to.include('mine');
  });
});
