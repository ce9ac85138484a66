import { Actor, handles, Runtime, TaskletController } from '../../src/index.js';

/** Keeps messaging itself from an async handler: every wake-up comes from a microtask, never a macrotask. */
class Spinner extends Actor {
  spins = 0;
  @handles('spin')
  async spin(): Promise<void> {
    await null;
    this.spins++;
    this.self.send('spin', null);
  }
}

describe('Scheduler', () => {
  it('gives timers a turn while an async handler keeps messaging its own actor', async function () {
    this.timeout(60_000);
    const rt = new Runtime({ controller: new TaskletController() });
    try {
      const spinner = rt.spawn(Spinner);
      spinner.cast('spin');
      // Before the fix this timer never fired: each burst woke the next from a microtask with a fresh budget.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await rt.shutdown();
    }
  });
});
