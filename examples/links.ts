/**
 * Links and exit trapping: a supervisor-like parent traps exits, links to a worker that crashes, and
 * receives the crash as an ordinary message: ['EXIT', worker, [Error], {}]. A monitor sees it as DOWN.
 * Run: `npx tsx examples/links.ts`.
 */
import {
  type ActorRef,
  monitor,
  Runtime,
  recv,
  spawn,
  spawnLink,
  TaskletController,
  trapExit,
} from 'parley-actors';

export async function worker(jobs: number): Promise<void> {
  for (let done = 1; ; done++) {
    const [, sender, [job]] = await recv('job');
    if (done > jobs) throw new Error(`worker gave up on job ${String(job)}`);
    sender?.send('reply', null, `did ${String(job)}`);
  }
}

export async function watcher(target: ActorRef): Promise<void> {
  const ref = monitor(target);
  const [tag, , [reason, mref]] = await recv('DOWN');
  console.log(`watcher got ${tag} (${mref === ref ? 'its monitor' : 'other'}): ${(reason as Error).message}`);
}

export async function main(): Promise<void> {
  trapExit(true);
  const w = spawnLink(worker, 2);
  const seen = spawn(watcher, w.ref);
  for (const job of ['a', 'b', 'c']) {
    w.send('job', null, job);
  }
  const [tag, from, [reason]] = await recv('EXIT');
  console.log(`parent got ${tag} from ${String(from)}: ${(reason as Error).message}`);
  console.log('parent is still running: trapping turned the crash into a message');
  const m = monitor(seen);
  await recv((msg) => msg[0] === 'DOWN' && msg[2][1] === m); // let the watcher print first
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await new Runtime({ controller: new TaskletController() }).run(main);
}
