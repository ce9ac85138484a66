import { expect } from 'chai';
import { Actor, DecoratorError, handles, Runtime } from '../src/index.js';

describe('@handles', () => {
  it('rejects a duplicate tag in one class at class definition', () => {
    expect(() => {
      class Twice extends Actor {
        @handles('x') a() {}
        @handles('x') b() {}
      }
      void Twice;
    }).to.throw(DecoratorError, /tag 'x' is handled twice in Twice: by a\(\) and b\(\)/);
  });

  it('rejects a decorator on a field or accessor with an error naming the member', () => {
    expect(() => {
      class Getter extends Actor {
        @handles('g') get value() {
          return 1;
        }
      }
      void Getter;
    }).to.throw(DecoratorError, /Getter\.value, which is not a method/);
  });

  it('rejects a decorator on a static method', () => {
    expect(() => {
      class Static extends Actor {
        @handles('s') static s() {}
      }
      void Static;
    }).to.throw(DecoratorError, /static/);
  });

  it('explains how to fix a decorator compiled as a TC39 decorator', () => {
    const decorator = handles('t') as unknown as (value: unknown, context: object) => void;
    expect(() => decorator(() => {}, { kind: 'method', name: 'm' })).to.throw(
      DecoratorError,
      /experimentalDecorators/,
    );
  });

  it('rejects an empty tag', () => {
    expect(() => handles('')).to.throw(DecoratorError, /non-empty string/);
  });

  it('lets a subclass inherit handlers and override them without repeating the decorator', async () => {
    class Base extends Actor {
      @handles('greet') greet(name: string) {
        return `hello ${name}`;
      }
      @handles('kind') kind() {
        return 'base';
      }
    }
    class Sub extends Base {
      override greet(name: string) {
        return `hi ${name}`;
      }
      @handles('extra') extra() {
        return 'sub only';
      }
    }
    const rt = new Runtime();
    try {
      const s = rt.spawn(Sub);
      expect(await s.greet('ann')).to.equal('hi ann');
      expect(await s.kind()).to.equal('base');
      expect(await s.extra()).to.equal('sub only');
      const b = rt.spawn(Base);
      expect(await b.greet('bob')).to.equal('hello bob');
    } finally {
      await rt.shutdown();
    }
  });

  it('allows the same tag in a subclass on another method (the subclass wins)', async () => {
    class A extends Actor {
      @handles('v') one() {
        return 1;
      }
    }
    class B extends A {
      @handles('v') two() {
        return 2;
      }
    }
    const rt = new Runtime();
    try {
      expect(await rt.spawn(B).call('v')).to.equal(2);
      expect(await rt.spawn(A).call('v')).to.equal(1);
    } finally {
      await rt.shutdown();
    }
  });
});
