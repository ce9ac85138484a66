/**
 * Child process of the suite's "skynet peak RSS" workload: runs skynet once for one contestant in a fresh
 * process and prints the process's peak resident set size in MiB (what skynet costs, not what the rest
 * of the suite left behind). `node --import tsx bench/skynet-rss.ts <contestant name> <size>`.
 */
import { baseline } from './contestants/baseline.js';
import { parleyTasklet } from './contestants/parley.js';
import { nactPeer } from './contestants/peers.js';
import type { Contestant } from './contestants/types.js';

const [name, size] = process.argv.slice(2);
const c = [baseline, parleyTasklet, nactPeer].find((x: Contestant) => x.name === name);
if (c?.skynet === undefined) throw new Error(`skynet-rss: no contestant '${name}' with a skynet workload`);
await c.skynet(Number(size));
console.log(JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
process.exit(0);
