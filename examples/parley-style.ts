/**
 * PARLEY's own start-up style: the start-up helper creates the default runtime, then a top-level
 * spawn(main). The process exits by itself once main is done and nothing is left to run.
 * Run: `npx tsx examples/parley-style.ts`.
 */
import { me, recv, send, spawn, startTaskletController } from 'parley-actors';

export async function pong(): Promise<void> {
  for (;;) {
    const [tag, sender, [n]] = await recv();
    if (tag === 'quit') return;
    if (sender !== null) send(sender as never, 'pong', n);
  }
}

export async function main(): Promise<void> {
  const p = spawn(pong);
  for (let i = 1; i <= 3; i++) {
    p.send('ping', me(), i);
    const [tag, , [n]] = await recv('pong');
    console.log(`${tag} ${String(n)}`);
  }
  p.cast('quit');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startTaskletController(); // or startThreadController(), once the ThreadController lands
  spawn(main);
}
