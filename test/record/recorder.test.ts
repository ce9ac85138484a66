import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { InvalidOptionError, Runtime, spawn } from '../../src/index.js';
import { Adder } from '../conformance/actors.js';

describe('Recording', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-record-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one JSON line per send, spawn, signal and exit, complete when run() resolves', async () => {
    const file = join(dir, 'run.jsonl');
    const rt = new Runtime({ record: file });
    await rt.run(async () => {
      const a = spawn(Adder);
      await a.add(1, 2);
    });
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const kinds = lines.map((l) => `${l.ev}${l.tag ? `:${l.tag}` : ''}${l.kind ? `:${l.kind}` : ''}`);
    // main exits; shutdown then sends the Adder an exit signal 'shutdown' (recorded like every signal).
    expect(kinds).to.deep.equal(['spawn', 'spawn', 'send:add', 'send:reply', 'exit', 'signal:exit', 'exit']);
    expect(lines[5].reason).to.equal('shutdown');
    expect(lines[5].to.name).to.equal('Adder');
    const send = lines[2];
    expect(send.args).to.deep.equal([1, 2]);
    expect(send.kwargs).to.deep.equal({});
    expect(send.to.name).to.equal('Adder');
    expect(send.from.name).to.equal('anonymous');
    expect(send.thread).to.equal(0);
    expect(typeof send.t).to.equal('number');
    expect(lines[6].reason).to.equal('shutdown');
  });

  it('keeps only the events a filter accepts', async () => {
    const file = join(dir, 'f.jsonl');
    const rt = new Runtime({ record: { to: file, filter: (e) => e.ev === 'exit' } });
    await rt.run(async () => {});
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0]!).ev).to.equal('exit');
  });

  it('records values JSON cannot hold without failing', async () => {
    const file = join(dir, 'odd.jsonl');
    const rt = new Runtime({ record: file });
    await rt.run(async () => {
      const a = spawn(Adder);
      const cyc: Record<string, unknown> = {};
      cyc.self = cyc;
      a.cast('add', 10n, cyc, new Error('e'));
      await a.add(1, 1);
    });
    const text = readFileSync(file, 'utf8');
    expect(text).to.include('"10n"').and.include('[Circular]').and.include('"error":"Error"');
  });

  it('rejects a record option that is not a path, stdout or { to, filter }', () => {
    expect(() => new Runtime({ record: { to: '' } })).to.throw(InvalidOptionError, /options\.record/);
    expect(() => new Runtime({ record: { to: 'x', filter: 1 as never } })).to.throw(
      InvalidOptionError,
      /filter/,
    );
  });
});
