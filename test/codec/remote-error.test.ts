/**
 * Errors across threads: class, message, remote stack, code, own properties,
 * causes (cyclic too), AggregateError members, thrown non-Errors, and
 * properties the codec cannot encode.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { types } from 'node:util';
import { appendLocalStack, decodeError, encodeError, type EncodedError } from '../../src/codec/remote-error.js';
import { BrokenPoolError, Full, RuntimeError, TimeoutError } from '../../src/errors.js';
import { kHandle, registerHandleKind, type Handle } from '../../src/codec/handles.js';

const opts = { timeout: 10_000 };

/** Encode, pass through structured clone (as postMessage would), decode. */
function cross(thrown: unknown): Error {
  const encoded: EncodedError = structuredClone(encodeError(thrown));
  return decodeError(encoded);
}

class HttpError extends Error {
  readonly status: number;
  readonly code = 'E_HTTP';
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HttpError';
    this.status = status;
  }
}

describe('error classes', opts, () => {
  test('a custom class keeps its name, message, stack, code and own properties', opts, () => {
    const original = new HttpError(404, 'not found');
    const back = cross(original) as HttpError;
    assert.equal(back.constructor.name, 'HttpError');
    assert.equal(back.name, 'HttpError');
    assert.equal(back.message, 'not found');
    assert.equal(back.stack, original.stack);
    assert.equal(back.code, 'E_HTTP');
    assert.equal(back.status, 404);
    assert.ok(back instanceof Error);
    assert.ok(types.isNativeError(back));
    assert.deepStrictEqual({ ...back }, { ...original });
  });

  test('one synthesized class per name: two errors of one remote class share a constructor', opts, () => {
    const a = cross(new HttpError(500, 'a'));
    const b = cross(new HttpError(502, 'b'));
    assert.equal(a.constructor, b.constructor);
    assert.notEqual(a.constructor, HttpError);
  });

  test('a remote subclass of a built-in stays instanceof that built-in', opts, () => {
    class ValidationError extends TypeError {}
    const back = cross(new ValidationError('bad input'));
    assert.ok(back instanceof TypeError);
    assert.equal(back.constructor.name, 'ValidationError');
    assert.equal(back.name, 'TypeError', 'name is what the thrower saw: inherited from TypeError');
  });

  test('built-in classes come back as themselves', opts, () => {
    for (const Class of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
      const back = cross(new Class('m'));
      assert.equal(back.constructor, Class);
      assert.equal(back.name, Class.name);
      assert.equal(Object.hasOwn(back, 'name'), false);
    }
  });

  test("weft's classes are rebuilt without running their constructors", opts, () => {
    const full = cross(new Full({ id: 7 })) as Full<{ id: number }>;
    assert.ok(full instanceof Full);
    assert.deepStrictEqual(full.item, { id: 7 });
    assert.equal(full.message, 'queue: the queue is full');
    const broken = cross(new BrokenPoolError(undefined, { exitCode: 3, signal: null })) as BrokenPoolError;
    assert.ok(broken instanceof BrokenPoolError);
    assert.equal(broken.exitCode, 3);
    const misuse = cross(new RuntimeError('sync: release of unlocked Lock', { code: 'ERR_LOCK_NOT_HELD' })) as RuntimeError;
    assert.ok(misuse instanceof RuntimeError);
    assert.equal(misuse.code, 'ERR_LOCK_NOT_HELD');
    assert.ok(cross(new TimeoutError()) instanceof TimeoutError);
  });

  test('a subclass of a weft class extends it', opts, () => {
    class SlowTask extends TimeoutError {}
    const back = cross(new SlowTask('too slow'));
    assert.ok(back instanceof TimeoutError);
    assert.equal(back.constructor.name, 'SlowTask');
  });

  test('a system error keeps errno, code, syscall and path', opts, () => {
    let thrown: unknown;
    try {
      readFileSync('/nonexistent/weft');
    } catch (error) {
      thrown = error;
    }
    const back = cross(thrown) as NodeJS.ErrnoException;
    assert.equal(back.code, 'ENOENT');
    assert.equal(back.syscall, 'open');
    assert.equal(back.path, '/nonexistent/weft');
    assert.equal(typeof back.errno, 'number');
  });

  test('a code from a getter on the class is kept', opts, () => {
    class Coded extends Error {
      get code(): string {
        return 'E_GETTER';
      }
    }
    assert.equal((cross(new Coded('x')) as Error & { code?: string }).code, 'E_GETTER');
  });
});

describe('causes and members', opts, () => {
  test('a cause chain, with a non-Error cause at the end', opts, () => {
    const root = new Error('top', { cause: new RangeError('middle', { cause: { reason: 'disk', at: [1, 2] } }) });
    const back = cross(root);
    const middle = back.cause as Error;
    assert.ok(middle instanceof RangeError);
    assert.equal(middle.message, 'middle');
    assert.deepStrictEqual(middle.cause, { reason: 'disk', at: [1, 2] });
    assert.equal(Object.getOwnPropertyDescriptor(back, 'cause')?.enumerable, false);
  });

  test('undefined as an explicit cause is kept', opts, () => {
    const back = cross(new Error('x', { cause: undefined }));
    assert.ok(Object.hasOwn(back, 'cause'));
    assert.equal(back.cause, undefined);
  });

  test('a cyclic cause comes back cyclic', opts, () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as Error & { cause?: unknown }).cause = b;
    const back = cross(a);
    assert.equal((back.cause as Error).cause, back);
  });

  test('AggregateError keeps its errors, Errors and others', opts, () => {
    const shared = new TypeError('twice');
    const aggregate = new AggregateError([shared, 'plain string', shared, new HttpError(401, 'no')], 'all failed');
    const back = cross(aggregate) as AggregateError;
    assert.ok(back instanceof AggregateError);
    assert.equal(back.message, 'all failed');
    assert.equal(back.errors.length, 4);
    assert.ok(back.errors[0] instanceof TypeError);
    assert.equal(back.errors[1], 'plain string');
    assert.equal(back.errors[2], back.errors[0]);
    assert.equal(back.errors[3].constructor.name, 'HttpError');
  });
});

describe('thrown values that are not Errors', opts, () => {
  test('a string, an object, undefined become Errors describing and keeping the value', opts, () => {
    const fromString = cross('boom') as Error & { value?: unknown };
    assert.ok(fromString instanceof Error);
    assert.equal(fromString.message, "a non-Error value was thrown: 'boom'");
    assert.equal(fromString.value, 'boom');
    const fromObject = cross({ status: 500, detail: ['x'] }) as Error & { value?: unknown };
    assert.equal(fromObject.message, "a non-Error value was thrown: { status: 500, detail: [ 'x' ] }");
    assert.deepStrictEqual(fromObject.value, { status: 500, detail: ['x'] });
    const fromUndefined = cross(undefined) as Error & { value?: unknown };
    assert.equal(fromUndefined.message, 'a non-Error value was thrown: undefined');
    assert.ok(Object.hasOwn(fromUndefined, 'value'));
  });

  test('a thrown value the codec cannot encode is described instead', opts, () => {
    const back = cross(function handler() {}) as Error & { value?: unknown };
    assert.match(back.message, /non-Error value was thrown: \[Function: handler\]/);
    assert.equal(back.value, '[not serializable: a function "handler" at error.value]');
  });
});

describe('robustness', opts, () => {
  test('an own property that cannot be encoded becomes a string; the others survive', opts, () => {
    const error = Object.assign(new Error('with extras'), { retry: 3, onRetry: () => 0, nested: { socket: Promise.resolve() } });
    const back = cross(error) as Error & Record<string, unknown>;
    assert.equal(back.retry, 3);
    assert.equal(back.onRetry, '[not serializable: a function "onRetry" at error.onRetry]');
    assert.equal(back.nested, '[not serializable: a Promise at error.nested.socket]');
  });

  test('a getter that throws does not break encoding', opts, () => {
    const error = new Error('fragile');
    Object.defineProperty(error, 'boom', { enumerable: true, get() { throw new Error('getter'); } });
    Object.defineProperty(error, 'name', { get() { throw new Error('name getter'); } });
    const back = cross(error) as Error & { boom?: unknown };
    assert.equal(back.message, 'fragile');
    assert.equal(back.boom, undefined);
  });

  test('weft objects in properties travel as handles', opts, () => {
    class Flag {
      [kHandle](): Handle {
        return { kind: 'test.Flag', scope: 'thread', data: 'flag-1' };
      }
    }
    registerHandleKind('test.Flag', (data: string) => ({ attached: data }));
    const back = cross(Object.assign(new Error('x'), { flag: new Flag() })) as Error & { flag?: unknown };
    assert.deepStrictEqual(back.flag, { attached: 'flag-1' });
  });

  test('appendLocalStack adds the submit site under the remote frames', opts, () => {
    const back = cross(new Error('remote failure'));
    const remote = back.stack!;
    function submitSite(): string {
      return new Error('local').stack!;
    }
    appendLocalStack(back, submitSite());
    assert.ok(back.stack!.startsWith(`${remote}\n    --- submitted from ---\n    at submitSite`), back.stack);
    assert.ok(!back.stack!.includes('Error: local'));
  });
});
