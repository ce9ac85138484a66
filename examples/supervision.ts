/**
 * A small supervision tree: a flaky worker that crashes now and then, beside a stable one, under a
 * one_for_one supervisor. Restarts are printed as they happen (through the runtime's logger), then the tree.
 * Run: `npx tsx examples/supervision.ts`.
 */
import {
  Actor,
  type ExitReason,
  handles,
  type Logger,
  Runtime,
  Supervisor,
  spawnLink,
  whereis,
} from 'parley-actors';

export class Flaky extends Actor {
  private calls = 0;
  @handles('work')
  work(job: number): string {
    if (++this.calls % 3 === 0) throw new Error(`flaky failed on job ${job}`);
    return `job ${job} done`;
  }
}

export class Stable extends Actor {
  private count = 0;
  @handles('count')
  countUp(): number {
    return ++this.count;
  }
  override onStop(reason: ExitReason): void {
    console.log(`stable stopped (${String(reason)}) after counting to ${this.count}`);
  }
}

/** Prints supervisor reports as one short line each. */
const logger: Logger = {
  error: (m) => console.log(`  [report] ${m}`),
  warn: (m) => console.log(`  [report] ${m}`),
  info() {},
  debug() {},
};

export async function main(rt: Runtime): Promise<void> {
  const sup = spawnLink(Supervisor, {
    strategy: 'one_for_one',
    intensity: 5,
    period: 10_000,
    children: [
      { id: 'flaky', actor: Flaky, name: 'flaky' },
      { id: 'stable', actor: Stable, name: 'stable' },
    ],
  });
  await sup.countChildren(); // a supervisor answers once all its children have started
  for (let job = 1; job <= 7; job++) {
    const flaky = await whereis('flaky', Flaky); // after a restart the name points at the new instance
    const result = await flaky!.work(job).catch((e: Error) => `crashed: ${e.message}`);
    const stable = await whereis('stable', Stable);
    console.log(`${result.padEnd(36)} stable counted ${await stable!.countUp()}`);
  }
  console.log(`\n${await rt.tree()}\n`);
  console.log('counts:', await sup.countChildren());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rt = new Runtime({ logger });
  await rt.run(main, rt);
}
