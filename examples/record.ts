/**
 * Recording: every send, spawn and exit as one JSON line. Records the adder program to a file, then
 * prints the file. Run: `npx tsx examples/record.ts`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor, handles, Runtime, spawn } from 'parley-actors';

export class Adder extends Actor {
  @handles('add')
  add(a: number, b: number): number {
    return a + b;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-'));
  const file = join(dir, 'adder.jsonl');
  const sum = await new Runtime({ record: file }).run(async () => {
    const adder = spawn(Adder);
    return adder.add(await adder.add(1, 2), 3);
  });
  console.log(`sum: ${sum}; the recording (${file}):`);
  process.stdout.write(readFileSync(file, 'utf8'));
  rmSync(dir, { recursive: true });
}
