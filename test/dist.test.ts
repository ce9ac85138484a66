/**
 * The same threaded program from compiled JavaScript (as from `dist/`): workers then import plain .js
 * modules, with no TypeScript loader anywhere.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

describe('compiled JavaScript', () => {
  const out = join(process.cwd(), '.dist-test');
  after(() => rmSync(out, { recursive: true, force: true }));

  it('runs a ThreadController program compiled by tsc, workers and all, and exits by itself', function () {
    this.timeout(120_000);
    rmSync(out, { recursive: true, force: true });
    const tsc = spawnSync(
      process.execPath,
      [
        'node_modules/typescript/bin/tsc',
        '--outDir',
        out,
        '--rootDir',
        '.',
        '--target',
        'es2022',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--experimentalDecorators',
        '--skipLibCheck',
        '--types',
        'node',
        '--ignoreConfig',
        'test/fixtures/threads-parley-style.ts',
        'src/controllers/worker-host.ts',
      ],
      { encoding: 'utf8' },
    );
    expect(tsc.status, tsc.stdout + tsc.stderr).to.equal(0);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
    const run = spawnSync(process.execPath, [join(out, 'test/fixtures/threads-parley-style.js')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('sum 3 on a worker thread\n');
  });
});
