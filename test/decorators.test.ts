/**
 * `@handles` and `@actor()` under both decorator standards, compiled for real: (a) tsc with
 * `experimentalDecorators`, (b) tsc without it (TC39 standard decorators), (c) tsx running files from a
 * folder outside any tsconfig (standard decorators, Parley's own sources included). Each runs the same
 * programs (test/fixtures/decorators/): class actors with a subclass that overrides a handler, on tasklets
 * and on a worker thread, the decorators misused, and a module that starts the runtime at its top level.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { compileFixtures } from './fixtures/compile.js';

const fixtures = ['test/fixtures/decorators/main.ts', 'test/fixtures/decorators/startup.ts'];

/** What every compile mode must answer, on tasklets and on a worker thread alike. */
const answers = {
  greet: 'hello ann',
  kind: 'base',
  double: 42,
  subGreet: 'hi bob',
  subKind: 'base',
  subExtra: 'sub only',
  byTag: 'hi cy',
  renamedKind: 'renamed',
  renamedByTag: 'renamed',
  quietGreet: 'hi dee',
  quietExtra: 'sub only',
};

/** The misuses of test/fixtures/decorators/main.ts: what each error message must say. */
const misuseMessages: Record<string, RegExp> = {
  getter: /@handles\('g'\) on .*value, which is not a method/,
  field: /@handles\('f'\) on .*count, which is not a method/,
  staticMethod: /@handles\('s'\) on static .*s: decorate an instance method/,
  twice: /tag 'x' is handled twice in .*: by a\(\) and b\(\)/,
  twoTags: /@handles\('a'\) on .*m\(\), which already handles 'b': a method handles one tag/,
  actorOnMethod: /@actor\(\) on the .*m: @actor\(\) decorates an actor class/,
  handlesOnClass: /@handles\('c'\) on class OnClass: @handles marks a method .* use @actor\(\)/,
};

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function result(run: Run): any {
  expect(run.status, run.stderr).to.equal(0);
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  expect(line, run.stdout + run.stderr).to.be.a('string');
  return JSON.parse(line!.slice('RESULT '.length));
}

function node(args: string[], cwd?: string): Run {
  const env = { ...process.env };
  delete env.TSX_TSCONFIG_PATH;
  return spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

/** The checks every compile mode must pass; `standard`: compiled with TC39 standard decorators. */
function checks(
  mode: { standard: boolean; duplicateSeenAt: 'definition' | 'spawn' },
  runMain: () => Run,
  runStartup: () => Run,
) {
  let main: Run | undefined;
  const mainRun = () => (main ??= runMain());
  it('answers by @handles on tasklets and on a worker thread, subclass overrides and @actor() included', function () {
    this.timeout(180_000);
    const r = result(mainRun());
    expect(r.tasklets).to.deep.equal({ ...answers, onWorker: false });
    expect(r.threads).to.deep.equal({ ...answers, onWorker: true });
  });

  it('refuses each misuse of the decorators with a DecoratorError that names it', function () {
    this.timeout(180_000);
    const { misuses } = result(mainRun());
    expect(Object.keys(misuses)).to.have.members(Object.keys(misuseMessages));
    for (const [name, message] of Object.entries(misuseMessages)) {
      expect(misuses[name].code, name).to.equal('ERR_PARLEY_DECORATOR');
      expect(misuses[name].message, name).to.match(message);
      expect(misuses[name].when, name).to.equal(name === 'twice' ? mode.duplicateSeenAt : 'definition');
    }
  });

  it('finds the classes of a module that starts the runtime at its top level on a worker thread', function () {
    this.timeout(180_000);
    const r = result(runStartup());
    expect(r.recorded).to.equal(3);
    expect(r.onWorker).to.equal(true);
    if (!mode.standard) {
      expect(r.unrecorded).to.equal(5);
      expect(r.startedU).to.equal('started');
      expect(r.startedSup).to.equal('started');
      expect(r.children.active).to.equal(1);
    } else {
      // Nor does the start pass for done: started() rejects with the reason, a supervisor with ChildStartError.
      expect(r.startedU).to.deep.equal({ error: 'ActorExitedError', reason: 'NotImportableError' });
      expect(r.startedSup).to.deep.equal({
        error: 'ActorExitedError',
        reason: 'ChildStartError',
        cause: 'NotImportableError',
      });
      // Standard decorators cannot record a class with @handles alone before the module pauses: the worker
      // says so (and what to do) instead of waiting forever.
      expect(r.unrecorded.code).to.equal('ERR_PARLEY_ACTOR_EXITED');
      expect(r.unrecorded.message).to.match(
        /NotImportableError: Unrecorded cannot be found on a worker thread/,
      );
      expect(r.unrecorded.message).to.match(/decorate the class with @actor\(\)/);
    }
  });
}

describe('decorators, compiled by tsc with experimentalDecorators (legacy)', () => {
  const out = join(process.cwd(), '.decorators-legacy-test');
  before(function () {
    this.timeout(180_000);
    const tsc = compileFixtures(out, fixtures, { experimentalDecorators: true });
    expect(tsc.status, tsc.output).to.equal(0);
  });
  after(() => rmSync(out, { recursive: true, force: true }));
  checks(
    { standard: false, duplicateSeenAt: 'definition' },
    () => node([join(out, 'test/fixtures/decorators/main.js')]),
    () => node([join(out, 'test/fixtures/decorators/startup.js')]),
  );
});

describe('decorators, compiled by tsc without experimentalDecorators (TC39 standard)', () => {
  const out = join(process.cwd(), '.decorators-standard-test');
  before(function () {
    this.timeout(180_000);
    const tsc = compileFixtures(out, fixtures, { experimentalDecorators: false });
    expect(tsc.status, tsc.output).to.equal(0);
  });
  after(() => rmSync(out, { recursive: true, force: true }));
  it('emits TC39 standard decorators (no legacy __decorate helper)', () => {
    const js = readFileSync(join(out, 'test/fixtures/decorators/actors.js'), 'utf8');
    expect(js).to.include('__esDecorate');
    expect(js).not.to.include('__decorate(');
  });
  // tsc gives no context.metadata where Symbol.metadata is missing (Node 20, 22): a tag handled twice in
  // one class shows on the class's first spawn.
  const duplicateSeenAt = (Symbol as { metadata?: symbol }).metadata === undefined ? 'spawn' : 'definition';
  checks(
    { standard: true, duplicateSeenAt },
    () => node([join(out, 'test/fixtures/decorators/main.js')]),
    () => node([join(out, 'test/fixtures/decorators/startup.js')]),
  );
});

describe('decorators, run by tsx from a folder outside any tsconfig (TC39 standard)', () => {
  let dir: string;
  const tsx = join(process.cwd(), 'node_modules/tsx/dist/cli.mjs');
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-decorators-'));
    mkdirSync(join(dir, 'prog'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const parley = pathToFileURL(join(process.cwd(), 'src/index.ts')).href;
    for (const file of ['actors.ts', 'main.ts', 'startup.ts']) {
      const source = readFileSync(join('test/fixtures/decorators', file), 'utf8');
      expect(source).to.include("'../../../src/index.js'");
      writeFileSync(join(dir, 'prog', file), source.replaceAll("'../../../src/index.js'", `'${parley}'`));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('compiles the program with standard decorators there', function () {
    this.timeout(180_000);
    const probe = join(dir, 'prog', 'probe.ts');
    writeFileSync(
      probe,
      "const d = (_v: unknown, c?: unknown) => { console.log(typeof c === 'object' ? 'standard' : 'legacy'); };\nclass P { @d m() {} }\nvoid P;\n",
    );
    const run = node([tsx, 'prog/probe.ts'], dir);
    expect(run.stdout.trim(), run.stderr).to.equal('standard');
  });
  // esbuild always gives context.metadata (with Symbol.for('Symbol.metadata') where Symbol.metadata is missing).
  checks(
    { standard: true, duplicateSeenAt: 'definition' },
    () => node([tsx, 'prog/main.ts'], dir),
    () => node([tsx, 'prog/startup.ts'], dir),
  );
});
