import { expect } from 'chai';
import { ProxyBase } from '../src/actors/proxy.js';
import { NO_KWARGS } from '../src/core/message.js';
import {
  ActorExitedError,
  ActorRef,
  me,
  NotCloneableError,
  Runtime,
  recv,
  send,
  spawn,
  TaskletController,
  UnknownTagError,
} from '../src/index.js';
import {
  canCross,
  copyMessage,
  decodePlain,
  decodeValue,
  encodeMessage,
  encodeValue,
  type Reviver,
  reduceReason,
} from '../src/wire/codec.js';
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

// ---- the codec itself, on both placements: a copy, and encode → structured clone → decode ----

const TAG = '\u0000parley';
const delivery = {} as never;
const reviver: Reviver = {
  revive: (r) => new ActorRef(r[0], r[1], r[2], delivery),
  proxy: (ref) => new ProxyBase(ref),
  loaded: (d) => d,
};
const viaCopy = (v: unknown): unknown => copyMessage(['t', null, [v], NO_KWARGS], (r) => r)[2][0];
const viaThread = (v: unknown): unknown => {
  const { m, plain } = encodeMessage(['t', null, [v], NO_KWARGS]);
  const cloned = structuredClone(m);
  return (plain ? decodePlain(cloned, reviver) : (decodeValue(cloned, reviver) as typeof m))[2][0];
};
const viaValue = (v: unknown): unknown => decodeValue(structuredClone(encodeValue(v, 'v').v), reviver);
const placements: [string, (v: unknown) => any][] = [
  ['copyMessage', viaCopy],
  ['encodeMessage/decodeValue', viaThread],
  ['encodeValue/decodeValue', viaValue],
];

for (const [where, cross] of placements) {
  describe(`wire codec: ${where}`, () => {
    it('keeps a cycle and a shared sub-object as one object', () => {
      const shared = { n: 1 };
      const cyc: Record<string, unknown> = { a: shared, b: shared, list: [shared] };
      cyc.self = cyc;
      (cyc.list as unknown[]).push(cyc);
      const out = cross(cyc);
      expect(out.self).to.equal(out);
      expect(out.a).to.equal(out.b);
      expect(out.list[0]).to.equal(out.a);
      expect(out.list[1]).to.equal(out);
      expect(out.a).to.deep.equal({ n: 1 });
      expect(out.a).to.not.equal(shared);
    });

    it('keeps a shared ref and a cycle through an error as one object', () => {
      const ref = new ActorRef(7, 0, 'X', delivery);
      const err = new Error('loop') as Error & { self?: unknown; refs?: unknown };
      err.self = err;
      err.refs = [ref, ref];
      const out = cross({ err, ref });
      expect(out.err).to.be.instanceOf(Error);
      expect(out.err.self).to.equal(out.err);
      expect(out.err.refs[0]).to.equal(out.err.refs[1]);
      expect(out.err.refs[0]).to.equal(out.ref);
      expect(out.ref).to.be.instanceOf(ActorRef);
      expect(out.ref.id).to.equal(7);
    });

    it('keeps Maps, Sets, Dates, RegExps, BigInts, buffers, views of one buffer and holes', () => {
      const buf = new ArrayBuffer(8);
      const bytes = new Uint8Array(buf);
      bytes[0] = 1;
      const v = {
        m: new Map<unknown, unknown>([
          ['k', { deep: [1, [2, [3n]]] }],
          [{ key: 1 }, new Set([1, 'two'])],
        ]),
        d: new Date(5),
        re: /a+b/gi,
        big: 2n ** 70n,
        buf,
        bytes,
        words: new Uint16Array(buf, 2, 2),
        view: new DataView(buf),
        sparse: Object.assign(new Array(3), { 0: 1, 2: 3 }),
      };
      const out = cross(v);
      expect(out.m.get('k')).to.deep.equal({ deep: [1, [2, [3n]]] });
      const [, [key, set]] = [...out.m];
      expect(key).to.deep.equal({ key: 1 });
      expect([...set]).to.deep.equal([1, 'two']);
      expect(out.d).to.be.instanceOf(Date);
      expect(out.d.getTime()).to.equal(5);
      expect(out.re).to.be.instanceOf(RegExp);
      expect(String(out.re)).to.equal('/a+b/gi');
      expect(out.big).to.equal(2n ** 70n);
      expect(out.bytes).to.be.instanceOf(Uint8Array);
      expect(out.words).to.be.instanceOf(Uint16Array);
      expect([out.words.byteOffset, out.words.length]).to.deep.equal([2, 2]);
      expect(out.bytes.buffer).to.equal(out.buf).and.not.equal(buf);
      expect(out.words.buffer).to.equal(out.buf);
      expect(out.view.buffer).to.equal(out.buf);
      out.bytes[3] = 9;
      expect(out.view.getUint8(3)).to.equal(9);
      expect(bytes[3]).to.equal(0);
      expect(out.sparse).to.have.length(3);
      expect(1 in out.sparse).to.equal(false);
    });

    it('keeps an own __proto__ key an own key', () => {
      const v = JSON.parse('{"__proto__": {"x": 1}, "n": {"__proto__": [2]}}');
      const out = cross(v);
      expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
      expect(Object.hasOwn(out, '__proto__')).to.equal(true);
      expect(Object.getOwnPropertyDescriptor(out, '__proto__')!.value).to.deep.equal({ x: 1 });
      expect(Object.getOwnPropertyDescriptor(out.n, '__proto__')!.value).to.deep.equal([2]);
      expect(out.x).to.equal(undefined);
      const err = new Error('e');
      Object.defineProperty(err, '__proto__', { value: { y: 2 }, enumerable: true, writable: true });
      const e2 = cross(err);
      expect(e2).to.be.instanceOf(Error);
      expect(Object.getOwnPropertyDescriptor(e2, '__proto__')!.value).to.deep.equal({ y: 2 });
    });

    it('never decodes user data as a ref, an error or an escape', () => {
      const encodedRef = encodeValue(new ActorRef(1, 0, 'X', delivery), 'v').v;
      const encodedErr = encodeValue(new Error('boom'), 'v').v;
      const shapes = [
        { [TAG]: 'ref', r: [1, 0, 'X'] },
        { [TAG]: 'proxy', r: [1, 0, 'X'] },
        { [TAG]: 'error', e: { name: 'E', message: 'm', stack: '', cause: undefined, props: {} } },
        { [TAG]: 'esc', o: { [TAG]: 'ref', r: [1, 0, 'X'] } },
        { [TAG]: 'class', d: { url: 'file:///x.js', name: 'X' } },
        { [TAG]: 'graph', v: { [TAG]: 'ref', r: [1, 0, 'X'] } },
        structuredClone(encodedRef),
        structuredClone(encodedErr),
      ];
      for (const shape of shapes) {
        const out = cross({ inner: shape, list: [shape] });
        expect(Object.getPrototypeOf(out.inner)).to.equal(Object.prototype);
        expect(out.inner).to.deep.equal(shape);
        expect(out.list[0]).to.equal(out.inner);
      }
      expect(cross(shapes[0])).to.deep.equal(shapes[0]);
    });

    it('looks error classes up by own key only', () => {
      for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype']) {
        const cause = new Error('why');
        const err = Object.assign(new Error(`named ${name}`, { cause }), { code: 'E_X' });
        Object.defineProperty(err, 'name', { value: name, writable: true, configurable: true });
        const out = cross(err);
        expect(out).to.be.instanceOf(Error);
        expect(Object.getPrototypeOf(out)).to.equal(Error.prototype);
        expect([out.name, out.message, out.code]).to.deep.equal([name, `named ${name}`, 'E_X']);
        expect(out.stack).to.equal(err.stack);
        expect(out.cause).to.be.instanceOf(Error);
        expect(out.cause.message).to.equal('why');
      }
      expect(cross(new RangeError('r'))).to.be.instanceOf(RangeError);
      expect(cross(new TypeError('t'))).to.be.instanceOf(TypeError);
      const exited = cross(new ActorExitedError('noproc'));
      expect(exited).to.be.instanceOf(ActorExitedError);
      expect(exited.code).to.equal('ERR_PARLEY_ACTOR_EXITED');
    });

    it('fails with NotCloneableError, the cause and the path, when a getter throws', () => {
      const boom = new Error('getter boom');
      const bad = {
        ok: 1,
        inner: {
          get bad(): number {
            throw boom;
          },
        },
      };
      let err: any;
      try {
        cross(bad);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(NotCloneableError);
      expect(err.cause).to.equal(boom);
      expect(err.path).to.match(/\[0\]\.inner\.bad$|^v\.inner\.bad$/);
    });

    it('refuses Proxies, symbols and functions with the path', () => {
      expect(() => cross({ p: new Proxy({}, {}) })).to.throw(NotCloneableError, /\.p \(Proxy\)/);
      expect(() => cross(new Map([['k', Symbol('s')]]))).to.throw(NotCloneableError, /\.get\(k\) \(symbol\)/);
      expect(() => cross([new Set([() => 1])])).to.throw(NotCloneableError, /<item 0> \(function/);
    });
  });
}

describe('wire codec: fast paths', () => {
  it('sends primitive-only messages plain, with their own args array', () => {
    const args = [1, 'a', null, undefined, 2n];
    const enc = encodeMessage(['t', null, args, NO_KWARGS]);
    expect(enc.plain).to.equal(true);
    expect(enc.m[2]).to.deep.equal(args);
    expect(enc.m[2]).to.not.equal(args);
    const copy = copyMessage(['t', null, args, NO_KWARGS], (r) => r);
    expect(copy[2]).to.deep.equal(args);
    expect(copy[2]).to.not.equal(args);
  });
});

describe('reduceReason / canCross', () => {
  const readable = (v: unknown) => structuredClone(v);
  const throwing = (...keys: string[]) => {
    const o = {};
    for (const k of keys)
      Object.defineProperty(o, k, {
        enumerable: true,
        get() {
          throw new Error(`no ${k}`);
        },
      });
    return o;
  };

  it('passes cloneable reasons through unchanged', () => {
    const reasons = ['normal', 42, undefined, null, { shutdown: 'bye' }, new Error('e'), [1, { a: 2 }]];
    for (const r of reasons) {
      expect(canCross(r)).to.equal(true);
      expect(reduceReason(r)).to.equal(r);
    }
  });

  it('reduces what cannot cross to a cloneable Error-like description, never throwing', () => {
    const fnErr = Object.assign(new TypeError('socket hang up'), {
      code: 'ECONNRESET',
      config: { adapter() {} },
    });
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 20_000; i++) deep = (deep.next = {}) as Record<string, unknown>;
    const errGetters = Object.create(Error.prototype, {
      name: {
        get: () => {
          throw new Error('n');
        },
      },
      message: {
        get: () => {
          throw new Error('m');
        },
      },
      stack: {
        get: () => {
          throw new Error('s');
        },
      },
    });
    const cases: unknown[] = [
      Symbol('why'),
      fnErr,
      throwing('x'),
      throwing('name', 'message', 'stack', 'code'),
      revoked.proxy,
      trap,
      () => 1,
      function named() {},
      root,
      errGetters,
      Promise.resolve(),
    ];
    for (const c of cases) {
      expect(canCross(c)).to.equal(false);
      const out = reduceReason(c) as Error & { reduced?: boolean; code?: unknown };
      expect(out).to.be.instanceOf(Error);
      expect(out.reduced).to.equal(true);
      expect(out.message).to.match(/\[reduced/);
      expect(canCross(out)).to.equal(true);
      expect(() => readable(encodeValue(out, 'reason').v)).to.not.throw();
    }
    const r = reduceReason(fnErr) as Error & { code?: unknown };
    expect([r.name, r.code, r.stack]).to.deep.equal(['TypeError', 'ECONNRESET', fnErr.stack]);
    expect(r.message).to.match(/^socket hang up \[reduced: function adapter at reason\.config\.adapter\]/);
    expect((reduceReason(Symbol('why')) as Error).message).to.include('Symbol(why)');
  });

  it('keeps a clean stop a clean stop, its detail reduced', () => {
    const out = reduceReason({ shutdown: () => 1 }) as { shutdown: Error & { reduced: boolean } };
    expect(Object.keys(out)).to.deep.equal(['shutdown']);
    expect(out.shutdown.reduced).to.equal(true);
  });
});
