import { expect } from 'chai';
import { MAX_DEPTH, safeJson } from '../../src/record/json.js';

/** A placeholder as it appears in a line. */
const ph = (why: string) => ({ $unrecordable: why });

describe('safeJson (a recording line)', () => {
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();

  const cases: { what: string; value: () => unknown; line: unknown }[] = [
    {
      what: 'a getter that throws: only that property',
      value: () => ({
        a: 1,
        get b(): never {
          throw new RangeError('nope');
        },
        c: 3,
      }),
      line: { a: 1, b: ph("reading 'b' threw RangeError: nope"), c: 3 },
    },
    {
      what: 'an object whose prototype is a revoked Proxy',
      value: () => Object.create(revoked),
      line: ph("reading toJSON threw TypeError: Cannot perform 'get' on a proxy that has been revoked"),
    },
    {
      what: 'an error whose message getter throws',
      value: () => {
        const e = new Error('m');
        Object.defineProperty(e, 'message', {
          get() {
            throw new Error('no message');
          },
        });
        e.stack = 'S';
        return e;
      },
      line: {
        error: 'Error',
        message: ph("reading 'message' threw Error: no message"),
        code: null,
        stack: 'S',
      },
    },
    {
      what: 'a Map whose iteration throws',
      value: () =>
        new (class extends Map {
          override *[Symbol.iterator](): IterableIterator<[unknown, unknown]> {
            yield* [];
            throw new Error('no entries');
          }
        })(),
      line: ph('reading the Map threw Error: no entries'),
    },
    {
      what: 'a toJSON that throws a string',
      value: () => ({
        toJSON() {
          throw 'nope';
        },
      }),
      line: ph("toJSON threw 'nope'"),
    },
    {
      what: 'a toJSON that throws a revoked Proxy',
      value: () => ({
        toJSON() {
          throw revoked;
        },
      }),
      line: ph('toJSON threw a Proxy'),
    },
    {
      what: 'a Proxy inside an array',
      value: () => [1, new Proxy({}, {}), 3],
      line: [1, ph('a Proxy (a recording does not run its traps)'), 3],
    },
  ];
  for (const { what, value, line } of cases) {
    it(`writes ${what} as a placeholder`, () => {
      expect(JSON.parse(safeJson(value()))).to.deep.equal(line);
    });
  }

  it(`keeps ${MAX_DEPTH} levels of nesting and replaces the next one`, () => {
    let v: unknown = 'bottom';
    for (let i = 0; i < MAX_DEPTH + 5; i++) v = [v];
    let parsed = JSON.parse(safeJson(v)) as unknown;
    let levels = 0;
    while (Array.isArray(parsed)) {
      parsed = parsed[0];
      levels++;
    }
    expect(levels).to.equal(MAX_DEPTH + 1);
    expect(parsed).to.deep.equal(ph(`too deep: over ${MAX_DEPTH} levels`));
  });

  it("replaces a too-large field's elements one by one and keeps the event's other fields", () => {
    const event = { t: 1, thread: 0, ev: 'send', args: ['a'.repeat(40), 'b'.repeat(100), 'c'], kwargs: {} };
    const line = JSON.parse(safeJson(event, 100)) as typeof event;
    const tooLarge = ph('too large: the line would be over 100 characters');
    expect(line).to.deep.equal({ ...event, args: ['a'.repeat(40), tooLarge, 'c'] });
  });

  it('keeps the event itself when its values fill the line: what does not fit is a placeholder', () => {
    const event = { t: 1, thread: 0, ev: 'send', args: ['x'.repeat(80), 'y'], kwargs: { k: 'v' } };
    const tooLarge = ph('too large: the line would be over 120 characters');
    const line = JSON.parse(safeJson(event, 120)) as Record<string, unknown>;
    expect(line).to.deep.equal({ ...event, args: ['x'.repeat(80), tooLarge], kwargs: tooLarge });
  });
});
