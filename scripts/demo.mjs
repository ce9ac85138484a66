// `npm run demo`: runs every example in its own process, as a user would, and fails if one fails.
import { spawnSync } from 'node:child_process';

const examples = ['adder.ts', 'parley-style.ts', 'links.ts', 'record.ts', 'supervision.ts'];
for (const name of examples) {
  console.log(`\n=== examples/${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `examples/${name}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`examples/${name} exited with ${r.status ?? r.signal}`);
    process.exit(1);
  }
}
