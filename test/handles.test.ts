import { expect } from 'chai';
import { descriptorOf } from '../src/actors/importable.js';
import { Actor, actor, DecoratorError, handles, NotImportableError, Runtime } from '../src/index.js';

/** What a TC39 standard decorator gets as its context (test/decorators.test.ts compiles real ones). */
function context(kind: string, name: string | symbol, extra: Record<string, unknown> = {}) {
  return { kind, name, static: false, private: false, metadata: undefined, addInitializer() {}, ...extra };
}

/** Applies `@handles(tag)` to `cls.prototype[key]` as a TC39 standard decorator would. */
function standard(tag: string, cls: Function, key: string, metadata?: object): void {
  const decorate = handles(tag) as unknown as (value: unknown, ctx: object) => void;
  decorate(cls.prototype[key], context('method', key, { metadata }));
}

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

  it('rejects a second tag on one method', () => {
    expect(() => {
      class TwoTags extends Actor {
        @handles('a')
        @handles('b')
        m() {}
      }
      void TwoTags;
    }).to.throw(DecoratorError, /@handles\('a'\) on TwoTags\.m\(\), which already handles 'b'/);
  });

  it('rejects @handles on a class, naming @actor() for that', () => {
    const decorate = handles('c') as unknown as (cls: Function) => void;
    expect(() => decorate(class OnClass extends Actor {})).to.throw(
      DecoratorError,
      /on class OnClass.*@actor\(\)/,
    );
  });

  it('rejects @actor() on anything but a class', () => {
    const legacy = actor() as unknown as (target: object, key: string, d: PropertyDescriptor) => void;
    expect(() => legacy({}, 'm', { value() {} })).to.throw(DecoratorError, /@actor\(\) on the member m/);
    const std = actor() as unknown as (value: unknown, ctx: object) => void;
    expect(() => std(() => {}, context('method', 'm'))).to.throw(
      DecoratorError,
      /@actor\(\) on the method m/,
    );
  });
});

describe('@handles as a TC39 standard decorator', () => {
  it('answers by the marked methods, inherited and overridden as with legacy decorators', async () => {
    class Base extends Actor {
      greet(name: string) {
        return `hello ${name}`;
      }
      kind() {
        return 'base';
      }
    }
    standard('greet', Base, 'greet');
    standard('kind', Base, 'kind');
    class Sub extends Base {
      override greet(name: string) {
        return `hi ${name}`;
      }
      extra() {
        return 'sub only';
      }
    }
    standard('extra', Sub, 'extra');
    const rt = new Runtime();
    try {
      const s = rt.spawn(Sub) as any;
      expect(await s.greet('ann')).to.equal('hi ann');
      expect(await s.kind()).to.equal('base');
      expect(await s.call('extra')).to.equal('sub only');
      expect(await (rt.spawn(Base) as any).greet('bob')).to.equal('hello bob');
    } finally {
      await rt.shutdown();
    }
  });

  it('mixes with legacy decorators in one class hierarchy (a library compiled one way, the program the other)', async () => {
    class Legacy extends Actor {
      @handles('v') one() {
        return 1;
      }
      @handles('w') w() {
        return 'legacy w';
      }
    }
    class Standard extends Legacy {
      two() {
        return 2;
      }
      override w() {
        return 'standard w';
      }
    }
    standard('v', Standard, 'two');
    const rt = new Runtime();
    try {
      expect(await rt.spawn(Standard).call('v')).to.equal(2);
      expect(await rt.spawn(Standard).call('w')).to.equal('standard w');
      expect(await rt.spawn(Legacy).call('v')).to.equal(1);
    } finally {
      await rt.shutdown();
    }
  });

  it('rejects a tag handled twice in one class at once when the compiler gives context.metadata', () => {
    class Twice extends Actor {
      a() {}
      b() {}
    }
    const metadata = {};
    standard('x', Twice, 'a', metadata);
    expect(() => standard('x', Twice, 'b', metadata)).to.throw(
      DecoratorError,
      /tag 'x' is handled twice in one class: by a\(\) and b\(\)/,
    );
  });

  it('rejects a tag handled twice in one class at its first spawn without context.metadata', async () => {
    class Twice extends Actor {
      a() {}
      b() {}
    }
    standard('x', Twice, 'a');
    standard('x', Twice, 'b');
    const rt = new Runtime();
    try {
      expect(() => rt.spawn(Twice)).to.throw(
        DecoratorError,
        /tag 'x' is handled twice in Twice: by a\(\) and b\(\)/,
      );
      expect(() => rt.spawn(Twice)).to.throw(DecoratorError, /handled twice/);
    } finally {
      await rt.shutdown();
    }
  });

  it('rejects a getter, setter, field, accessor, static, private, symbol-named method or class by name', () => {
    const decorate = handles('t') as unknown as (value: unknown, ctx: object) => void;
    const fn = () => {};
    expect(() => decorate(fn, context('getter', 'value'))).to.throw(
      DecoratorError,
      /getter value, which is not a method/,
    );
    expect(() => decorate(fn, context('setter', 'value'))).to.throw(
      DecoratorError,
      /setter value, which is not a method/,
    );
    expect(() => decorate(undefined, context('field', 'count'))).to.throw(
      DecoratorError,
      /field count, which is not a method/,
    );
    expect(() => decorate({}, context('accessor', 'acc'))).to.throw(
      DecoratorError,
      /accessor acc, which is not a method/,
    );
    expect(() => decorate(fn, context('method', 's', { static: true }))).to.throw(
      DecoratorError,
      /on static method s: decorate an instance method/,
    );
    expect(() => decorate(fn, context('method', '#p', { private: true }))).to.throw(
      DecoratorError,
      /private method #p.*drop the #/,
    );
    expect(() => decorate(fn, context('method', Symbol('sym')))).to.throw(
      DecoratorError,
      /symbol-named method \[Symbol\(sym\)\]/,
    );
    expect(() => decorate(class C {}, context('class', 'C'))).to.throw(
      DecoratorError,
      /on class C: @handles marks a method/,
    );
  });

  it('rejects a second tag on one method', () => {
    function m() {}
    const first = handles('b') as unknown as (value: unknown, ctx: object) => void;
    const second = handles('a') as unknown as (value: unknown, ctx: object) => void;
    first(m, context('method', 'm'));
    expect(() => second(m, context('method', 'm'))).to.throw(
      DecoratorError,
      /on m\(\), which already handles 'b'/,
    );
  });

  it('records the module of a class whose own handlers are marked, so it can go to a worker thread', () => {
    // A class defined in a function cannot be imported by a worker: the error says so, which shows that
    // its site was found from its marked method (an unmarked class's module is not known at all).
    class Local extends Actor {
      m() {}
    }
    class Unmarked extends Actor {
      m() {}
    }
    standard('m', Local, 'm');
    expect(() => descriptorOf(Local, 'Local')).to.throw(NotImportableError, /defined inside a function/);
    expect(() => descriptorOf(Unmarked, 'Unmarked')).to.throw(
      NotImportableError,
      /does not know which module/,
    );
  });

  it('tells how to make a class importable with @actor(), parentheses included', () => {
    class Unmarked extends Actor {
      m() {}
    }
    expect(() => descriptorOf(Unmarked, 'Unmarked')).to.throw(
      NotImportableError,
      /decorate it with @actor\(\), and export it/,
    );
  });

  it('tells a subclass that only overrides handlers to add @actor() of its own', () => {
    class Base extends Actor {
      @handles('greet') greet() {
        return 'hi';
      }
    }
    class Quiet extends Base {
      override greet() {
        return 'hello';
      }
    }
    expect(() => descriptorOf(Quiet, 'Quiet')).to.throw(
      NotImportableError,
      /It extends Base, whose decorators recorded Base's module, but no decorator of Quiet's own ran .*add @actor\(\) to the subclass \(@actor\(\) export class Quiet extends Base …\)/,
    );
  });
});
