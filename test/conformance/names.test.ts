import { expect } from 'chai';
import { exit, NameTakenError, register, spawn, unregister, whereis } from '../../src/index.js';
import { Adder, idle, Probe } from './actors.js';
import { onEveryController, settle } from './harness.js';

onEveryController('registered names', (h) => {
  it('finds a registered actor with whereis and calls it through the proxy', async () => {
    const rt = h.runtime();
    const a = rt.spawn(Adder);
    await rt.register('adder', a);
    const found = await rt.whereis<Adder>('adder');
    expect(found).to.not.equal(undefined);
    expect(await found!.add(2, 3)).to.equal(5);
  });

  it('rejects a name already taken with NameTakenError', async () => {
    const rt = h.runtime();
    await rt.register('x', rt.spawn(idle));
    const err = await rt.register('x', rt.spawn(idle)).catch((e: any) => e);
    expect(err).to.be.instanceOf(NameTakenError);
    expect(err.code).to.equal('ERR_PARLEY_NAME_TAKEN');
    expect(err.message).to.include("'x'");
  });

  it('lets an actor hold only one name', async () => {
    const rt = h.runtime();
    const a = rt.spawn(idle);
    await rt.register('one', a);
    const err = await rt.register('two', a).catch((e: any) => e);
    expect(err).to.be.instanceOf(NameTakenError);
    expect(err.message).to.include("already registered as 'one'");
  });

  it('frees a name when its actor exits', async () => {
    const rt = h.runtime();
    const p = rt.spawn(Probe);
    await rt.register('p', p);
    await p.fail('x').catch(() => {});
    await settle();
    expect(await rt.whereis('p')).to.equal(undefined);
    await rt.register('p', rt.spawn(idle));
  });

  it('registers, looks up and unregisters from inside an actor with the functional API', async () => {
    const out = await h.runtime().run(async () => {
      await register('me');
      const found = await whereis('me');
      const removed = await unregister('me');
      const again = await unregister('me');
      return [found !== undefined, removed, again, await whereis('me')];
    });
    expect(out).to.deep.equal([true, true, false, undefined]);
  });

  it('accepts an ActorRef wherever it accepts a proxy', async () => {
    const out = await h.runtime().run(async () => {
      const a = spawn(idle);
      await register('byref', a.ref);
      const found = await whereis('byref');
      exit(a.ref, 'kill');
      await settle();
      return [found?.ref.equals(a.ref), await whereis('byref')];
    });
    expect(out).to.deep.equal([true, undefined]);
  });
});
