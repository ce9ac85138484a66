/**
 * A CommonJS TypeScript program ("type": "commonjs") run by tsx: tsx compiles each module to CommonJS inside
 * a wrapper function of its own, and compiles Parley (which the program `require()`s) to CommonJS too. Its
 * exported top-level classes must still go to worker threads, and classes defined in a function must not.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';

describe('a CommonJS TypeScript program run by tsx', () => {
  let dir: string;
  let run: { status: number | null; stdout: string; stderr: string } | undefined;
  const loader = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-commonjs-'));
    mkdirSync(join(dir, 'prog'));
    writeFileSync(join(dir, 'package.json'), '{ "name": "cjs-program", "type": "commonjs" }\n');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      '{ "compilerOptions": { "module": "nodenext", "target": "es2022" }, "include": ["prog"] }\n',
    );
    const parley = JSON.stringify(join(process.cwd(), 'src/index.ts')).replaceAll('"', "'");
    for (const file of ['actors.ts', 'dynamic.ts', 'main.ts']) {
      const source = readFileSync(join('test/fixtures/commonjs', file), 'utf8');
      expect(source).to.include("'../../../src/index.js'");
      writeFileSync(join(dir, 'prog', file), source.replaceAll("'../../../src/index.js'", parley));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function result(): any {
    if (run === undefined) {
      const env = { ...process.env };
      delete env.TSX_TSCONFIG_PATH;
      run = spawnSync(process.execPath, ['--import', loader, 'prog/main.ts'], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
    }
    expect(run.status, run.stderr).to.equal(0);
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, run.stdout + run.stderr).to.be.a('string');
    return JSON.parse(line!.slice('RESULT '.length));
  }

  it('runs as CommonJS', function () {
    this.timeout(180_000);
    expect(result().commonJs).to.equal(true);
  });

  it('spawns an exported top-level class on a worker thread, which loads it and answers', function () {
    this.timeout(180_000);
    const r = result();
    expect(r.sum).to.equal(3);
    expect(r.thread).to.equal(1);
  });

  it('finds on a worker thread a class exported under a name Node cannot see (only on module.exports)', function () {
    this.timeout(180_000);
    expect(result().dynamic).to.equal(7);
  });

  it('refuses a class defined inside a function with NotImportableError naming its line', function () {
    this.timeout(180_000);
    const { nested } = result();
    expect(nested.code, JSON.stringify(nested)).to.equal('ERR_PARLEY_NOT_IMPORTABLE');
    expect(nested.message).to.match(/Nested is defined inside a function/);
    const source = readFileSync('test/fixtures/commonjs/actors.ts', 'utf8').split('\n');
    const line = source.findIndex((l) => l.includes("@handles('x')")) + 1;
    expect(nested.message).to.include(`prog/actors.ts:${line})`);
  });
});
