import { expect } from 'chai';
import { InvalidArgumentError, recv, spawnWith } from '../../src/index.js';
import { crashOnReply, EchoBack, Notes, PingWithSender, Ponger, ReplyKeeper } from './api-actors.js';
import { onEveryController, until } from './harness.js';

onEveryController('ref.cast and one-way replies', (h) => {
  it('delivers ref.cast(tag, ...args) as [tag, null, args, {}]', async () => {
    const rt = h.runtime();
    const n = rt.spawnWith(h.on(1), Notes);
    n.ref.cast('note', 1, 'two');
    n.ref.cast('note');
    expect(await n.call('notes')).to.deep.equal([
      { args: [1, 'two'], senderIsNull: true },
      { args: [], senderIsNull: true },
    ]);
  });

  it('gives a ref.cast no reply', async () => {
    const rt = h.runtime();
    const got = await rt.run(async () => {
      const n = spawnWith(h.on(1), Notes);
      n.ref.cast('incr', 5);
      expect(await n.call('count')).to.equal(5);
      return recv(undefined, { timeout: 50 }).then(
        () => 'unexpected message',
        (err) => err.name,
      );
    });
    expect(got).to.equal('ReceiveTimeoutError');
  });

  it('throws InvalidArgumentError for a ref.cast whose tag is not a string', async () => {
    const rt = h.runtime();
    const n = rt.spawnWith(h.on(1), Notes);
    expect(() => n.ref.cast(42 as unknown as string, 1)).to.throw(
      InvalidArgumentError,
      /ref\.cast\(tag, \.\.\.args\)/,
    );
    expect(await n.call('count')).to.equal(0);
  });

  it('drops an unsolicited reply to an actor without a reply handler quietly, at debug level', async () => {
    const rt = h.runtime();
    const pinger = rt.spawnWith(h.on(1), PingWithSender);
    const ponger = rt.spawnWith(h.on(2), Ponger);
    expect(await pinger.call('go', [ponger.ref, 20])).to.equal(20);
    await until(() => unsolicited(h.logger.debug.args).length >= 20, 30_000);
    expect(unsolicited(h.logger.debug.args)).to.have.length(20);
    expect(h.logger.warn.called, 'no warning').to.equal(false);
    expect(await pinger.call('alive')).to.equal(true);
    expect(await ponger.call('pings')).to.equal(20);
  });

  it("hands replies to an actor's own 'reply' handler", async () => {
    const rt = h.runtime();
    const keeper = rt.spawnWith(h.on(1), ReplyKeeper);
    const echo = rt.spawnWith(h.on(2), EchoBack);
    keeper.cast('go', echo.ref, 'a');
    keeper.cast('go', echo.ref, 'b');
    let replies: unknown[] = [];
    const end = Date.now() + 30_000;
    while (replies.length < 2 && Date.now() < end) replies = (await keeper.call('replies')) as unknown[];
    expect(replies).to.deep.equal(['a', 'b']);
    expect(unsolicited(h.logger.debug.args)).to.have.length(0);
  });

  it('does not run a functionActor for an unsolicited reply', async () => {
    const rt = h.runtime();
    const fa = rt.spawnWith(h.on(1), crashOnReply);
    fa.ref.send('reply', null, 'crash');
    fa.ref.cast('reply', 'crash');
    expect(await fa.invoke('still here')).to.equal('still here');
    expect(h.logger.error.called, 'no crash').to.equal(false);
  });
});

/** The debug lines about dropped unsolicited replies. */
function unsolicited(calls: unknown[][]): unknown[] {
  return calls.filter((c) => typeof c[0] === 'string' && c[0].includes('unsolicited reply'));
}
