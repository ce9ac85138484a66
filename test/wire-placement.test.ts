import { expect } from 'chai';
import { ActorRef, NotCloneableError, Runtime, TaskletController, ThreadController } from '../src/index.js';
import { Echo } from './wire-actors.js';

const TAG = '\u0000parley';

const placements: [string, () => TaskletController | ThreadController][] = [
  ['ThreadController({ threads: 2 })', () => new ThreadController({ threads: 2 })],
  ['TaskletController({ copyMessages: true })', () => new TaskletController({ copyMessages: true })],
];

for (const [where, controller] of placements) {
  describe(`wire on ${where}`, () => {
    let rt: Runtime;
    beforeEach(() => {
      rt = new Runtime({ controller: controller() });
    });
    afterEach(() => rt.shutdown());

    it('delivers a circular message and a shared sub-object as sent', async () => {
      const e = rt.spawn(Echo);
      const shared = { n: 1 };
      const cyc: Record<string, unknown> = { a: shared, b: shared };
      cyc.self = cyc;
      const out = (await e.echo(cyc)) as typeof cyc;
      expect(out.self).to.equal(out);
      expect(out.a).to.equal(out.b);
      expect(await e.same(shared, shared)).to.equal(true);
      expect(await e.same(shared, { n: 1 })).to.equal(false);
    });

    it('keeps Maps, Sets, Dates, typed arrays and BigInts', async () => {
      const e = rt.spawn(Echo);
      const buf = new ArrayBuffer(4);
      const v = {
        m: new Map([[1, new Set([2n])]]),
        d: new Date(7),
        a: new Uint8Array(buf),
        b: new Uint16Array(buf),
      };
      const out = (await e.echo(v)) as typeof v;
      expect([...out.m.get(1)!]).to.deep.equal([2n]);
      expect(out.d.getTime()).to.equal(7);
      expect(out.a.buffer).to.equal(out.b.buffer);
    });

    it('keeps an own __proto__ key an own key', async () => {
      const e = rt.spawn(Echo);
      const v = JSON.parse('{"__proto__": {"x": 1}}');
      expect(await e.inspect(v)).to.deep.equal({ proto: true, ownProto: true, isRef: false });
      const out = (await e.echo(v)) as Record<string, unknown>;
      expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).to.deep.equal({ x: 1 });
    });

    it('delivers a user object shaped like an encoded ref or error as that plain object', async () => {
      const e = rt.spawn(Echo);
      const asRef = { [TAG]: 'ref', r: [e.ref.id, e.ref.thread, 'Echo'] };
      expect((await e.inspect(asRef)).isRef).to.equal(false);
      const back = await e.echo(asRef);
      expect(back).to.not.be.instanceOf(ActorRef);
      expect(back).to.deep.equal(asRef);
      const asError = {
        [TAG]: 'error',
        e: { name: 'E', message: 'm', stack: '', cause: undefined, props: {} },
      };
      expect(await e.echo(asError)).to.deep.equal(asError);
    });

    it('keeps an error named like an Object.prototype member an Error', async () => {
      const e = rt.spawn(Echo);
      for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
        const err = Object.assign(new Error('m', { cause: 'c' }), { code: 'E_N' });
        Object.defineProperty(err, 'name', { value: name, writable: true, configurable: true });
        const out = (await e.echo(err)) as Error & { code: string };
        expect(out).to.be.instanceOf(Error);
        expect([out.name, out.message, out.code, out.cause]).to.deep.equal([name, 'm', 'E_N', 'c']);
        expect(out.stack).to.equal(err.stack);
      }
    });

    it('fails the send with NotCloneableError when a getter throws', async () => {
      const e = rt.spawn(Echo);
      const boom = new Error('boom');
      const bad = {
        get x(): number {
          throw boom;
        },
      };
      let err: any;
      try {
        await e.echo(bad);
      } catch (caught) {
        err = caught;
      }
      expect(err).to.be.instanceOf(NotCloneableError);
      expect(err.cause).to.equal(boom);
      expect(err.path).to.equal('args[0].x');
      expect(await e.echo('still here')).to.equal('still here');
    });
  });
}
