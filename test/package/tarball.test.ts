/**
 * The package as a user gets it: `npm pack` (its prepack script builds dist/), installed from the tarball
 * into a project outside the repository with no network, then type-checked and run as an ES module program
 * and as a CommonJS program (`require('parley-actors')`, compiled by tsc, and run by tsx), each calling an
 * actor on a worker thread.
 *
 * Nothing is fetched: the one dependency, reflect-metadata, is packed from this repository's node_modules
 * and installed from that tarball alongside; TypeScript and @types/node are the repository's own (tsc is run
 * from it, @types/node is linked into the project).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';

const repo = process.cwd();
const require = createRequire(join(repo, 'package.json'));

interface PackResult {
  filename: string;
  files: { path: string }[];
}

/** The environment without what an enclosing `npm test` set for its own package (its prefix, its scripts). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_') || k.toLowerCase() === 'npm_config_cache') env[k] = v;
  }
  return env;
}

/** Runs a command (npm from PATH, with the node first on PATH; anything else with this process's node). */
function run(
  cwd: string,
  command: string,
  args: string[],
): { status: number | null; stdout: string; output: string } {
  const r = spawnSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 240_000 });
  const stdout = r.stdout ?? '';
  return { status: r.status, stdout, output: `${stdout}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** `npm pack --json`'s answer (scripts print before it). */
const packed = (stdout: string): PackResult =>
  (JSON.parse(stdout.slice(stdout.indexOf('[\n'))) as PackResult[])[0]!;

const tsc = (project: string) =>
  run(project, process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json']);

/** A CommonJS TypeScript project in `dir` (created) whose main.ts calls a class actor on a worker thread. */
function writeCjsProgram(dir: string): void {
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        target: 'es2022',
        types: ['node'],
      },
    }),
  );
  writeFileSync(
    join(dir, 'main.ts'),
    [
      "import { Actor, handles, Runtime, spawn, ThreadController } from 'parley-actors';",
      '',
      'export class Adder extends Actor {',
      "  @handles('add')",
      '  add(a: number, b: number): number {',
      '    return a + b;',
      '  }',
      '}',
      '',
      'async function main(): Promise<void> {',
      '  const adder = spawn(Adder);',
      '  const sum: number = await adder.add(1, 2);',
      '  // @ts-expect-error: the types resolved, so there is no such method (an unused expect-error fails tsc)',
      '  const wrong = () => adder.sub(1, 2);',
      '  void wrong;',
      "  console.log('sum', sum, 'on thread', adder.ref.thread);",
      '}',
      '',
      'new Runtime({ controller: new ThreadController({ threads: 1 }) }).run(main).catch((e: unknown) => {',
      '  console.error(e);',
      '  process.exitCode = 1;',
      '});',
      '',
    ].join('\n'),
  );
}

describe('the npm package', function () {
  this.timeout(300_000);
  let tmp: string;
  let app: string;
  let files: string[];

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'parley-package-'));
    // As in a fresh clone: no dist/ until packing builds it (prepack), so a tarball without code fails here.
    rmSync(join(repo, 'dist'), { recursive: true, force: true });
    const pack = run(repo, 'npm', ['pack', '--json', '--pack-destination', tmp]);
    expect(pack.status, pack.output).to.equal(0);
    const tarball = packed(pack.stdout);
    files = tarball.files.map((f) => f.path);
    const reflect = dirname(require.resolve('reflect-metadata'));
    const dep = run(repo, 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp, reflect]);
    expect(dep.status, dep.output).to.equal(0);
    const depFile = packed(dep.stdout).filename;

    app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify({ name: 'tryout', private: true }, null, 2)}\n`,
    );
    const install = run(app, 'npm', [
      'install',
      '--prefer-offline', // the cache when it has them; the registry for what a fresh machine's cache lacks
      '--no-audit',
      '--no-fund',
      join(tmp, tarball.filename),
      join(tmp, depFile),
    ]);
    expect(install.status, install.output).to.equal(0);
    mkdirSync(join(app, 'node_modules/@types'), { recursive: true });
    symlinkSync(join(repo, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'));
  });

  after(() => {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it('holds dist/ (code and declarations), README, LICENSE and package.json, and nothing else', () => {
    const paths = files;
    expect(paths).to.include.members([
      'package.json',
      'README.md',
      'LICENSE',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/controllers/worker-host.js',
    ]);
    const others = paths.filter((p) => !['package.json', 'README.md', 'LICENSE'].includes(p));
    expect(
      others.filter((p) => !/^dist\/.+(\.js|\.d\.ts)$/.test(p)),
      'only .js and .d.ts under dist/',
    ).to.deep.equal([]);
    // Every module has its declarations (a .js without .d.ts is a build gone wrong).
    const js = others.filter((p) => p.endsWith('.js')).map((p) => p.slice(0, -3));
    const dts = others.filter((p) => p.endsWith('.d.ts')).map((p) => p.slice(0, -5));
    expect(js).to.have.members(dts);
    // The modules declared as having side effects exist (a renamed one would silently lose its mark).
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/parley-actors/package.json'), 'utf8')) as {
      sideEffects: string[];
    };
    for (const f of pkg.sideEffects)
      expect(paths, `sideEffects entry ${f}`).to.include(f.replace(/^\.\//, ''));
  });

  it('type-checks and runs an ES module program that calls an actor on a worker thread', () => {
    const dir = join(app, 'esm');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    // The tsconfig the README gives a user.
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', types: ['node'] } }),
    );
    writeFileSync(
      join(dir, 'main.ts'),
      [
        "import { functionActor, Runtime, spawn, ThreadController } from 'parley-actors';",
        '',
        'export const add = functionActor(function add(a: number, b: number): number {',
        '  return a + b;',
        '});',
        '',
        'async function main(): Promise<void> {',
        '  const adder = spawn(add);',
        '  const sum: number = await adder.invoke(1, 2);',
        '  // @ts-expect-error: the types resolved, so a string is no number (an unused expect-error fails tsc)',
        "  const wrong = () => adder.invoke('1', 2);",
        '  void wrong;',
        "  console.log('sum', sum, 'on thread', adder.ref.thread);",
        '}',
        '',
        'await new Runtime({ controller: new ThreadController({ threads: 1 }) }).run(main);',
        '',
      ].join('\n'),
    );
    const check = tsc(dir);
    expect(check.status, check.output).to.equal(0);
    const r = run(dir, process.execPath, ['main.js']);
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.equal('sum 3 on thread 1\n');
  });

  it('type-checks and runs a CommonJS program that require()s the package and calls a class actor on a worker thread', () => {
    const dir = join(app, 'cjs');
    writeCjsProgram(dir);
    const check = tsc(dir);
    expect(check.status, check.output).to.equal(0);
    expect(readFileSync(join(dir, 'main.js'), 'utf8'), 'compiled to CommonJS').to.include(
      'require("parley-actors")',
    );
    const r = run(dir, process.execPath, ['main.js']);
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.equal('sum 3 on thread 1\n');
  });

  it('runs the same CommonJS TypeScript program under tsx, which compiles the package to CommonJS too', () => {
    const dir = join(app, 'cjs-tsx');
    writeCjsProgram(dir);
    // tsx is the repository's, linked into the project.
    symlinkSync(join(repo, 'node_modules/tsx'), join(app, 'node_modules/tsx'));
    const r = run(dir, process.execPath, ['--import', 'tsx', 'main.ts']);
    expect(r.status, r.output).to.equal(0);
    expect(r.output).to.equal('sum 3 on thread 1\n');
  });
});
