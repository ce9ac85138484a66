// `npm run demo`: runs every example in its own process, as a user would, and fails if one fails.
import { spawnSync } from 'node:child_process';

const examples = [
  ['adder.ts'],
  ['adder.ts', '--threads'],
  ['parley-style.ts'],
  ['links.ts'],
  ['record.ts'],
  ['supervision.ts'],
  ['speedup.ts', '4000000'],
  ['job-pool.ts'],
  // Three nodes as processes over NATS; says how to get nats-server when it is missing.
  ['cluster.ts'],
];
for (const [name, ...args] of examples) {
  console.log(`\n=== examples/${name} ${args.join(' ')} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `examples/${name}`, ...args], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`examples/${name} exited with ${r.status ?? r.signal}`);
    process.exit(1);
  }
}
