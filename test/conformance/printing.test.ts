/**
 * How refs, proxies and errors print on every placement: `<Account#42>` on the main thread,
 * `<Account#42@1>` on worker thread 1, `<Account#2.42@1>` for an id thread 2 handed out; refs that crossed a
 * thread keep their name; errors print briefly and never show the runtime behind their refs.
 */
import { inspect } from 'node:util';
import { expect } from 'chai';
import { ID_SPACE } from '../../src/core/inspect.js';
import { ActorExitedError, type ActorRef, NoSuchActorError, ParleyError } from '../../src/index.js';
import { onEveryController } from './harness.js';
import { Account } from './printing-actors.js';

/** What gives away runtime internals in a print. */
const INTERNALS = /Cell \{|Runtime \{|Symbol\(parley|Scheduler|Fabric|\[Circular|unknown#/;

/**
 * The text a ref must print as, from its fields (the rule the README states). In a cluster every place is
 * named by its node (`place`, how the runtime names places): `<Account#here.1@peer/2>`.
 */
function expected(ref: ActorRef, place?: (p: number) => string): string {
  const spawner = Math.floor(ref.id / ID_SPACE);
  if (place !== undefined)
    return `<${ref.name}#${place(spawner)}.${ref.id - spawner * ID_SPACE}@${place(ref.thread)}>`;
  const id = spawner === 0 ? `${ref.id}` : `${spawner}.${ref.id - spawner * ID_SPACE}`;
  return `<${ref.name}#${id}${ref.thread === 0 ? '' : `@${ref.thread}`}>`;
}

onEveryController('printing refs, proxies and errors', (h) => {
  it('prints a proxy and its ref as the actor, its id and the thread it runs on', async () => {
    const rt = h.runtime();
    const account = rt.spawnWith(h.on(1), Account);
    expect(await account.add(1, 2)).to.equal(3);
    const text = String(account.ref);
    expect(text)
      .to.equal(expected(account.ref, rt.placeText))
      .and.match(rt.placeText === undefined ? /^<Account#\d+(@\d+)?>$/ : /^<Account#[\w-]+\.\d+@[\w/-]+>$/);
    if (h.controller.threads) expect(text).to.equal(`<Account#${account.ref.id}@${account.ref.thread}>`);
    expect(inspect(account.ref)).to.equal(text);
    expect(inspect(account)).to.equal(`ActorProxy${text}`);
    expect(inspect({ account, ref: account.ref }, { depth: 10, showHidden: true })).to.not.match(INTERNALS);
  });

  it('prints a ref that came back from the actor (across threads, or copied) as the same actor', async () => {
    const rt = h.runtime();
    const account = rt.spawnWith(h.on(1), Account);
    const self: ActorRef = await account.call('self');
    expect(self.equals(account.ref)).to.equal(true);
    expect(String(self)).to.equal(String(account.ref));
    expect(inspect(self)).to.equal(String(account.ref));
  });

  it('prints an id another thread handed out as thread.n, with the thread the actor runs on', async () => {
    const rt = h.runtime();
    const account = rt.spawnWith(h.on(1), Account);
    const target = h.on(2).thread ?? 'local';
    const sibling: ActorRef = await account.call('spawn', [target]);
    expect(String(sibling)).to.equal(expected(sibling, rt.placeText));
    if (h.controller.threads) {
      // Handed out by the account's worker thread, so not a 10-digit number.
      expect(String(sibling)).to.equal(
        `<Account#${account.ref.thread}.${sibling.id - account.ref.thread * ID_SPACE}@${sibling.thread}>`,
      );
    }
    expect(String(sibling)).to.not.match(/\d{6,}/);
    expect(await rt.proxy(sibling, Account).add(2, 2)).to.equal(4);
  });

  it('makes a call to an actor that stops print briefly, naming the actor, its thread and the reason', async () => {
    const rt = h.runtime();
    const account = rt.spawnWith(h.on(1), Account);
    await account.add(1, 1);
    const err = await account.call('quit', ['closed']).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ActorExitedError);
    const text = inspect(err);
    expect(text.split('\n')[0]).to.equal(
      `ActorExitedError [ERR_PARLEY_ACTOR_EXITED]: ${account.ref} exited before it replied (reason: 'closed')`,
    );
    expect(text).to.include(`actor: ${account.ref}`).and.include("reason: 'closed'");
    expect(text).to.not.match(INTERNALS);
    expect(text.split('\n').length).to.be.below(20);
  });

  it('names a dead actor by its class in the error of a later call, wherever it ran', async () => {
    const rt = h.runtime();
    const account = rt.spawnWith(h.on(1), Account);
    await account.call('quit', ['closed']).catch(() => undefined);
    const err = (await account.add(1, 2).catch((e: unknown) => e)) as ParleyError;
    expect(err).to.be.instanceOf(ParleyError);
    expect([NoSuchActorError, ActorExitedError].some((c) => err instanceof c)).to.equal(true);
    expect(err.message).to.include(String(account.ref));
    expect(err.actor?.name).to.equal('Account');
    expect(err.actor?.equals(account.ref)).to.equal(true);
    expect(inspect(err)).to.include(`actor: ${account.ref}`).and.not.match(INTERNALS);
  });
});
