/**
 * PARLEY's adder program, three ways: a class actor with @handles('add'), a function actor with a raw
 * recv() loop that answers `sender.send('reply', me(), sum)`, and functionActor(). Each is called ten
 * times through a proxy. Run: `npm run demo` (or `npx tsx examples/adder.ts [--threads]`).
 */
import { isMainThread } from 'node:worker_threads';
import {
  Actor,
  functionActor,
  handles,
  me,
  Runtime,
  recv,
  spawnLink,
  TaskletController,
  ThreadController,
} from 'parley-actors';

export class Adder extends Actor {
  @handles('add')
  add(a: number, b: number): number {
    return a + b;
  }
}

export async function adder(): Promise<void> {
  for (;;) {
    const [tag, sender, args] = await recv();
    if (tag === 'quit') break;
    if (tag === 'add') sender?.send('reply', me(), (args[0] as number) + (args[1] as number));
  }
}

export const adder2 = functionActor(function adder2(a: number, b: number) {
  return a + b;
});

export async function main(): Promise<void> {
  const a1 = spawnLink(Adder);
  console.log(`(Adder runs on thread ${a1.ref.thread}, adder2 on the next; 0 is the main thread)`);
  for (let i = 0; i < 10; i++) console.log('Adder      ', i, '+', i + 2, '=', await a1.add(i, i + 2));

  const a2 = spawnLink(adder);
  for (let i = 0; i < 10; i++)
    console.log('adder loop ', i, '+', i + 2, '=', await a2.call('add', [i, i + 2]));
  a2.send('quit', null);

  const a3 = spawnLink(adder2);
  for (let i = 0; i < 10; i++) console.log('adder2     ', i, '+', i + 2, '=', await a3.invoke(i, i + 2));
}

if (isMainThread && import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--threads')) {
    await new Runtime({ controller: new ThreadController({ threads: 2 }) }).run(main);
  } else {
    await new Runtime({ controller: new TaskletController() }).run(main);
  }
}
