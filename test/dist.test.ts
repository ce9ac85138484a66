/**
 * The same threaded program from compiled JavaScript (as from `dist/`): workers then import plain .js
 * modules, with no TypeScript loader anywhere.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { compileFixtures } from './fixtures/compile.js';

describe('compiled JavaScript', () => {
  const out = join(process.cwd(), '.dist-test');
  after(() => rmSync(out, { recursive: true, force: true }));

  it('runs a ThreadController program compiled by tsc, workers and all, and exits by itself', function () {
    this.timeout(120_000);
    const tsc = compileFixtures(out, ['test/fixtures/threads-parley-style.ts']);
    expect(tsc.status, tsc.output).to.equal(0);
    const run = spawnSync(process.execPath, [join(out, 'test/fixtures/threads-parley-style.js')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('sum 3 on a worker thread\n');
  });
});
