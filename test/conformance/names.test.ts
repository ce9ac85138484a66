import { expect } from 'chai';
import { exit, monitor, NameTakenError, recv, register, spawnWith, whereis } from '../../src/index.js';
import { Adder, Idle, idle, NameUser, Probe } from './actors.js';
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
    await rt.register('x', rt.spawnWith(h.on(1), Idle));
    const err = await rt.register('x', rt.spawnWith(h.on(2), Idle)).catch((e: any) => e);
    expect(err).to.be.instanceOf(NameTakenError);
    expect(err.code).to.equal('ERR_PARLEY_NAME_TAKEN');
    expect(err.message).to.include("'x'");
  });

  it('lets an actor hold only one name', async () => {
    const rt = h.runtime();
    const a = rt.spawnWith(h.on(1), Idle);
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
    const rt = h.runtime();
    const out = await rt.spawnWith(h.on(1), NameUser).roundTrip();
    expect(out).to.deep.equal([true, true, false, undefined]);
  });

  it('accepts an ActorRef wherever it accepts a proxy', async () => {
    const out = await h.runtime().run(async () => {
      const a = spawnWith(h.on(1), Idle);
      await register('byref', a.ref);
      const found = await whereis('byref');
      const down = monitor(a.ref);
      exit(a.ref, 'kill');
      await recv((m) => m[0] === 'DOWN' && m[2][1] === down); // its name is released before its DOWN
      return [found?.ref.equals(a.ref), await whereis('byref')];
    });
    expect(out).to.deep.equal([true, undefined]);
  });
});
