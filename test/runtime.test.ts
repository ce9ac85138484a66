import { expect } from 'chai';
import {
  Actor,
  getDefaultRuntime,
  InvalidOptionError,
  me,
  NoCurrentActorError,
  NoRuntimeError,
  NotAnActorError,
  Runtime,
  register,
  spawn,
  spawnLink,
  TaskletController,
} from '../src/index.js';
import { Adder } from './conformance/actors.js';

describe('Runtime', () => {
  it('names the bad option in an invalid-options error', () => {
    expect(() => new Runtime({ callTimeout: -1 })).to.throw(
      InvalidOptionError,
      /options\.callTimeout must not be negative/,
    );
    expect(() => new Runtime({ shutdownTimeout: Number.NaN })).to.throw(
      InvalidOptionError,
      /options\.shutdownTimeout/,
    );
    expect(() => new Runtime({ bogus: 1 } as never)).to.throw(
      InvalidOptionError,
      /options\.bogus is not a Runtime option/,
    );
    expect(() => new Runtime({ logger: {} as never })).to.throw(InvalidOptionError, /options\.logger/);
    expect(() => new Runtime({ record: 42 as never })).to.throw(InvalidOptionError, /options\.record/);
    expect(() => new TaskletController({ copyMessages: 'yes' as never })).to.throw(
      InvalidOptionError,
      /copyMessages/,
    );
    expect(() => new TaskletController({ copy: true } as never)).to.throw(
      InvalidOptionError,
      /options\.copy is not/,
    );
  });

  it('refuses to share one controller between two runtimes', async () => {
    const c = new TaskletController();
    const rt = new Runtime({ controller: c });
    expect(() => new Runtime({ controller: c })).to.throw(InvalidOptionError, /already used/);
    await rt.shutdown();
  });

  it('rejects a bad per-call timeout with InvalidOptionError', async () => {
    const rt = new Runtime();
    try {
      const a = rt.spawn(Adder);
      const err = await a.call('add', [1, 2], undefined, { timeout: -1 }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(InvalidOptionError);
      expect((err as Error).message).to.match(/call options\.timeout must not be negative/);
    } finally {
      await rt.shutdown();
    }
  });

  it('rejects spawning something that is not an actor with NotAnActorError', async () => {
    const rt = new Runtime();
    try {
      class Plain {}
      expect(() => rt.spawn(Plain as never)).to.throw(NotAnActorError, /does not extend Actor/);
      expect(() => rt.spawn(42 as never)).to.throw(NotAnActorError, /got number/);
      expect(() => rt.spawn(Actor)).to.throw(NotAnActorError, /subclass Actor/);
    } finally {
      await rt.shutdown();
    }
  });

  it('tells a user who writes new Adder() to use spawn', () => {
    expect(() => new Adder()).to.throw(NotAnActorError, /spawn\(Adder/);
  });

  it('throws NoCurrentActorError for actor-only functions used at top level', () => {
    expect(() => spawnLink(Adder)).to.throw(NoCurrentActorError, /spawnLink\(\) was called outside an actor/);
    expect(() => me()).to.throw(NoCurrentActorError);
  });

  it('throws NoRuntimeError for a top-level spawn before startTaskletController() (register rejects)', async () => {
    expect(getDefaultRuntime()).to.equal(undefined);
    expect(() => spawn(Adder)).to.throw(NoRuntimeError, /startTaskletController/);
    const err = await register('x').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(NoRuntimeError);
  });
});
