/** The examples and start-up paths, run as a user runs them: each in its own process, which must exit by itself. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

function runExample(
  file: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  return runWith(process.env, file, ...args);
}

function runWith(
  env: NodeJS.ProcessEnv,
  file: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('examples', () => {
  before(function () {
    this.timeout(120_000);
    // The examples import 'parley-actors', which is dist/: build it, so that they never run a stale copy.
    const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
  });

  it("imports Parley in every example by its package name, 'parley-actors', as a user's program does", () => {
    const files = readdirSync('examples').filter((f) => f.endsWith('.ts'));
    expect(files).to.not.be.empty;
    for (const f of files) {
      const text = readFileSync(`examples/${f}`, 'utf8');
      expect(text, f).to.not.match(/from '\.\.?\/(src|dist)\b/);
      expect(text, f).to.include("from 'parley-actors'");
    }
  });

  describe("compiled with TC39 standard decorators (the README's tsconfig: no experimentalDecorators)", () => {
    // The repository's tsconfig sets experimentalDecorators; a user's project (README, "Install") does not.
    // tsx reads the tsconfig named by TSX_TSCONFIG_PATH: the same one without the flag.
    let env: NodeJS.ProcessEnv;
    before(() => {
      const dir = mkdtempSync(join(tmpdir(), 'parley-std-'));
      const base = JSON.parse(readFileSync('tsconfig.json', 'utf8')) as {
        compilerOptions: Record<string, unknown>;
      };
      delete base.compilerOptions.experimentalDecorators;
      const root = process.cwd();
      const tsconfig = {
        compilerOptions: { ...base.compilerOptions, rootDir: root },
        include: [join(root, 'src'), join(root, 'examples')],
      };
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
      env = { ...process.env, TSX_TSCONFIG_PATH: join(dir, 'tsconfig.json') };
    });

    for (const [file, ...args] of [
      ['adder.ts', '--threads'],
      ['job-pool.ts', '100000'],
      ['speedup.ts', '300000'],
    ]) {
      it(`runs ${file} ${args.join(' ')} on worker threads and exits 0`, function () {
        this.timeout(70_000);
        const r = runWith(env, `examples/${file!}`, ...args);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stderr).to.not.include('NotImportableError');
      });
    }
  });

  for (const flags of [[], ['--threads']]) {
    it(`adder.ts ${flags.join(' ')} prints the ten sums in all three forms and exits 0`, () => {
      const r = runExample('examples/adder.ts', ...flags);
      expect(r.status, r.stderr).to.equal(0);
      for (const form of ['Adder ', 'adder loop ', 'adder2 ']) {
        const sums = r.stdout
          .split('\n')
          .filter((l) => l.startsWith(form))
          .map((l) => Number(l.split('=')[1]));
        expect(sums, form).to.deep.equal([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
      }
      expect(r.stdout).to.match(flags.length === 0 ? /Adder runs on thread 0/ : /Adder runs on thread [1-9]/);
    });
  }

  it('speedup.ts counts the same primes on both controllers and reports a speed-up', () => {
    const r = runExample('examples/speedup.ts', '300000');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('primes below 300000: 25997 (tasklets) and 25997 (threads)');
    expect(r.stdout).to.match(/speed-up: \d+\.\d\dx/);
  });

  it('job-pool.ts runs jobs on a pool of workers over threads, survives a bad job, and stops', () => {
    const r = runExample('examples/job-pool.ts', '100000');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('bad job: RangeError: bad job [0, 10): numbers start at 1');
    expect(r.stdout).to.include('longest Collatz chain below 100000: 77031 (350 steps)');
    expect(r.stdout).to.match(/12 jobs on 4 workers, threads 1, 2, in \d+ ms/);
    expect(r.stdout).to.include('workers running after the crash: 4');
    expect(r.stderr).to.include("child 'member-0' restarted");
  });

  it('parley-style.ts exits by itself after a top-level spawn(main)', () => {
    const r = runExample('examples/parley-style.ts');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('pong 1\npong 2\npong 3\n');
  });

  it('links.ts shows a trapped crash arriving as an EXIT message', () => {
    const r = runExample('examples/links.ts');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('parent got EXIT from <worker#2>: worker gave up on job c');
    expect(r.stdout).to.include('watcher got DOWN');
  });

  it('record.ts prints a recording with spawns, sends and exits', () => {
    const r = runExample('examples/record.ts');
    expect(r.status, r.stderr).to.equal(0);
    const events = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l).ev);
    expect(events).to.include.members(['spawn', 'send', 'exit']);
  });

  it('cluster.ts runs three nodes as processes, kills one, and the supervisor restarts its child on another node', function () {
    this.timeout(90_000);
    const r = runExample('examples/cluster.ts');
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include('counter runs on worker-1; add(5) -> 5');
    expect(r.stdout).to.include("child 'counter' restarted (reason: 'noconnection')");
    expect(r.stdout).to.include('counter restarted on worker-2; add(1) -> 1');
    expect(r.stdout).to.include('nodes up: boss, worker-2\n');
    expect(r.stdout).to.match(/done\n$/);
  });

  it('supervision.ts shows restarts as they happen and the tree view', () => {
    const r = runExample('examples/supervision.ts');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include("child 'flaky' restarted");
    expect(r.stdout).to.match(/<Supervisor#\d+> one_for_one, 2\/5 restarts in 10000 ms/);
    expect(r.stdout).to.include('├─ flaky <Flaky#').and.include('└─ stable <Stable#');
    expect(r.stdout).to.include('stable stopped (shutdown) after counting to 7');
  });

  it('shuts down in order on SIGINT (onStop runs) and then ends by the signal', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/sigint.ts'], { stdio: 'pipe' });
    let out = '';
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve();
      });
    });
    const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (code, signal) => resolve([code, signal])),
    );
    await ready;
    child.kill('SIGINT');
    const [code, signal] = await ended;
    expect(out).to.include('service stopped: shutdown');
    expect(signal ?? code).to.be.oneOf(['SIGINT', 130]);
  });

  it('reports a main that waits with nothing left to wake it, shuts down and rejects run()', () => {
    const r = runExample('test/fixtures/deadlock.ts');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.include('nothing is left that could wake it');
    expect(r.stdout).to.include("run rejected: <anonymous#1> exited (reason: 'shutdown')");
  });
});
