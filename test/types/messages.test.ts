/**
 * The compiler's messages for the typed API's mistakes, as a user reads them: a small program with one
 * deliberate mistake per marked line is compiled with tsc, and each error must say what is wrong in the
 * user's own terms (the constructor's parameter types), never "No overload matches this call" or a
 * signature of Parley's internals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const root = fileURLToPath(new URL('../../', import.meta.url));
const index = join(root, 'src/index.js');

/** Each line that ends with `// expect: <text>` must get exactly one error, whose message holds <text>. */
const program = `
import { Actor, childSpec, functionActor, handles, type Runtime, spawn, spawnLink, spawnMonitor, spawnWith } from '${index}';

export class Account extends Actor {
  constructor(private balance: number) {
    super();
  }
  @handles('deposit')
  deposit(amount: number): number {
    return (this.balance += amount);
  }
}

export const triple = functionActor((x: number) => x * 3);

export async function mistakes(rt: Runtime): Promise<void> {
  spawn(Account, 'x'); // expect: Argument of type 'string' is not assignable to parameter of type 'number'.
  spawn(Account); // expect: Expected 2 arguments, but got 1.
  spawn(Account, 1, 2); // expect: Expected 2 arguments, but got 3.
  rt.spawn(Account, 'x'); // expect: Argument of type 'string' is not assignable to parameter of type 'number'.
  spawnLink(Account, 'x'); // expect: Argument of type 'string' is not assignable to parameter of type 'number'.
  spawnMonitor(Account, 'x'); // expect: Argument of type 'string' is not assignable to parameter of type 'number'.
  spawnWith({}, Account, 'x'); // expect: Argument of type 'string' is not assignable to parameter of type 'number'.
  rt.spawnWith({}, Account, 'x'); // expect: Argument of type 'string' is not assignable to parameter of type 'number'.
  spawn(async (n: number) => n, 'x'); // expect: Argument of type 'string' is not assignable to parameter of type 'number'.
  spawn(triple, 1); // expect: Expected 1 arguments, but got 2.
  await rt.spawn(Account, 1).with({ timeout: 100 }).deposit('5'); // expect: Argument of type 'string' is not assignable to parameter of type 'number'.
  childSpec(Account, { args: ['100'] }); // expect: Type 'string' is not assignable to type 'number'.
  childSpec(Account, { id: 'acct' }); // expect: Property 'args' is missing
}
`;

describe('compiler messages for typed API mistakes', () => {
  let dir: string | undefined;
  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("names the constructor's or function's parameter types, never 'No overload matches this call'", function () {
    this.timeout(180_000); // tsc compiles the program and Parley's sources: seconds on a loaded machine
    dir = mkdtempSync(join(tmpdir(), 'parley-messages-'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const file = join(dir, 'mistakes.ts');
    writeFileSync(file, program);
    const tsc = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        ...['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext'],
        ...['--moduleResolution', 'nodenext', '--experimentalDecorators', '--skipLibCheck'],
        ...['--types', 'node', '--pretty', 'false', '--ignoreConfig', file],
      ],
      { cwd: root, encoding: 'utf8' },
    );
    const output = tsc.stdout + tsc.stderr;
    expect(output).to.not.include('No overload matches this call');
    expect(output).to.not.match(/args_0|SpawnTarget|=> unknown'/);

    // tsc's errors by line: "…/mistakes.ts(LINE,COL): error TSxxxx: message", continuation lines indented.
    const errors = new Map<number, string[]>();
    let last: string[] | undefined;
    for (const line of output.split('\n')) {
      const m = /mistakes\.ts\((\d+),\d+\): error (TS\d+: .*)$/.exec(line);
      if (m !== null) {
        last = errors.get(Number(m[1])) ?? [];
        last.push(m[2]!);
        errors.set(Number(m[1]), last);
      } else if (line.startsWith('  ') && last !== undefined) {
        last[last.length - 1] += `\n${line}`;
      }
    }
    const lines = program.split('\n');
    let expected = 0;
    lines.forEach((text, i) => {
      const marker = /\/\/ expect: (.*)$/.exec(text);
      const got = errors.get(i + 1) ?? [];
      errors.delete(i + 1);
      if (marker === null) return;
      expected++;
      expect(got, `line ${i + 1}: ${text.trim()}`).to.have.lengthOf(1);
      expect(got[0], `line ${i + 1}: ${text.trim()}`).to.include(marker[1]);
    });
    expect(expected).to.equal(13);
    expect([...errors], `errors on unmarked lines:\n${output}`).to.deep.equal([]);
  });
});
