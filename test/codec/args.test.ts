/**
 * Arguments and Thread-subclass fields: one message for all arguments (shared
 * objects stay shared), errors that name the argument, and fields defined on
 * a target object.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { decodeArgs, decodeFields, encodeArgs, encodeFields } from '../../src/codec/args.js';

const opts = { timeout: 10_000 };

describe('arguments', opts, () => {
  test('round-trip, keeping an object shared between arguments', opts, () => {
    const shared = { n: 1 };
    const encoded = encodeArgs([1, 'two', shared, [shared], undefined]);
    assert.ok(encoded.bytes instanceof Uint8Array);
    assert.deepEqual(encoded.handles, []);
    const args = decodeArgs(structuredClone(encoded));
    assert.deepStrictEqual(args, [1, 'two', { n: 1 }, [{ n: 1 }], undefined]);
    assert.equal(args[2], (args[3] as unknown[])[0]);
  });

  test('no arguments', opts, () => {
    assert.deepStrictEqual(decodeArgs(encodeArgs([])), []);
  });

  test('an argument that cannot cross names its position and path', opts, () => {
    const socket = new Socket();
    assert.throws(() => encodeArgs([1, { socket }]), (error: Error & { code?: string; path?: string }) => {
      assert.equal(error.code, 'ERR_NOT_SERIALIZABLE');
      assert.equal(error.path, 'args[1].socket');
      assert.equal(error.message.split(',')[0], 'codec: argument 2 cannot be sent: args[1].socket is a Socket');
      return true;
    });
    assert.throws(() => encodeArgs([function onData() {}]), /^RuntimeError: codec: argument 1 cannot be sent: args\[0\] is a function "onData"/);
    socket.destroy();
  });
});

describe('fields', opts, () => {
  class Worker {
    readonly name = 'worker-1';
    count = 3;
    config = { retries: 2 };
    #private = 'not copied';
    internal = 'skipped';
    run(): string {
      return this.#private;
    }
  }

  test('own enumerable fields, minus the skipped ones, as a plain object', opts, () => {
    const encoded = encodeFields(new Worker(), { skip: ['internal'] });
    assert.deepStrictEqual(decodeFields(encoded), { name: 'worker-1', count: 3, config: { retries: 2 } });
  });

  test('defined onto a target as own data properties', opts, () => {
    const source = new Worker();
    source.count = 10;
    const target = Object.create(Worker.prototype) as Worker;
    const back = decodeFields(encodeFields(source), target);
    assert.equal(back, target);
    assert.equal(target.count, 10);
    assert.deepEqual(Object.getOwnPropertyDescriptor(target, 'count'), { value: 10, writable: true, enumerable: true, configurable: true });
  });

  test('a field that cannot cross is named this.field', opts, () => {
    const worker = Object.assign(new Worker(), { callback: () => 1 });
    assert.throws(() => encodeFields(worker), (error: Error & { path?: string }) => error.path === 'this.callback' && /^codec: this\.callback is an? /.test(error.message));
  });
});
