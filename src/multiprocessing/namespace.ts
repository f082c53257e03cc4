/**
 * `Namespace`: an object whose attributes are shared by every thread of
 * every process of the tree, served by a `Manager` — Python's
 * `multiprocessing.managers.Namespace` (`manager.Namespace()`).
 *
 * Python's shape is attribute access (`ns.x = 1; print(ns.x)`), each one a
 * blocking call to the manager. The closest port is a JS `Proxy` whose
 * property get, set, `delete`, `in` and key listing are blocking calls to the
 * hub (`backends/hub/namespace.ts`, a dict of attributes), so ported code
 * reads the same. Each is atomic; none is a read-modify-write —
 * `ns.count += 1` from two processes loses updates, as in Python; use a
 * `Lock` around it, or a `Value`.
 *
 * The explicit methods `get`/`set`/`delete`/`has`/`keys`/`toObject`, each
 * with a `…Sync` twin, reach any attribute — also one whose name is a method
 * name — and the async ones do not block the event loop. Method names (and
 * `then`, so that a namespace is not mistaken for a Promise) cannot be set
 * as attributes with `ns.name = …` (a TypeError, `ERR_INVALID_ARG`): use
 * `ns.set('name', …)`. A missing attribute reads `undefined` (JS's
 * convention), where Python raises AttributeError. Values are copies, and
 * weft objects stay live, as in `DictProxy`.
 */
import { NAMESPACE_KIND } from '../backends/hub/namespace.js';
import { registerHandleKind } from '../codec/handles.js';
import { inspect } from 'node:util';
import { invalidArg } from '../errors.js';
import { attachProxy, BaseProxy, type ProxyHandleData } from './base-proxy.js';
import { checkKey } from './dict-proxy.js';
import { decodeHubValue, encodeHubValue } from './hub-value-codec.js';

/**
 * An object whose attributes every process of the tree shares, served by a
 * `Manager`: Python's `Namespace`. `ns.x = 1` and `ns.x` are blocking calls;
 * `await ns.get('x')` / `ns.set('x', 1)` are the async forms.
 *
 * @example
 * ```ts
 * await using manager = new Manager();
 * const ns = manager.Namespace({ x: 1 });
 * ns.y = 'two';                     // seen by every Process it is passed to
 * console.log(ns.x, ns.y);          // 1 'two'
 * console.log(await ns.get('y'));   // 'two', without blocking
 * ```
 */
export class Namespace extends BaseProxy<'multiprocessing.managers.Namespace'> {
  protected get kind(): string {
    return NAMESPACE_KIND;
  }

  /** The attribute's value (a copy), or undefined. */
  get<V = unknown>(name: string): Promise<V | undefined> {
    return this.callAsync('get', () => [checkKey(name)], decodeOrUndefined<V>);
  }

  /** As `get`, blocking: what reading `ns[name]` does. */
  getSync<V = unknown>(name: string): V | undefined {
    return this.callSync('get', [checkKey(name)], decodeOrUndefined<V>);
  }

  /** Sets the attribute to a copy of `value`. */
  set(name: string, value: unknown): Promise<void> {
    return this.callAsync('set', () => [checkKey(name), encodeHubValue(value)], done);
  }

  /** As `set`, blocking: what `ns[name] = value` does. */
  setSync(name: string, value: unknown): void {
    this.callSync('set', [checkKey(name), encodeHubValue(value)], done);
  }

  /** Removes the attribute; true if it was there. */
  delete(name: string): Promise<boolean> {
    return this.callAsync('delete', () => [checkKey(name)], asBoolean);
  }

  /** As `delete`, blocking: what `delete ns[name]` does. */
  deleteSync(name: string): boolean {
    return this.callSync('delete', [checkKey(name)], asBoolean);
  }

  /** Whether the attribute exists. */
  has(name: string): Promise<boolean> {
    return this.callAsync('has', () => [checkKey(name)], asBoolean);
  }

  /** As `has`, blocking: what `name in ns` does. */
  hasSync(name: string): boolean {
    return this.callSync('has', [checkKey(name)], asBoolean);
  }

  /** The attribute names, in the order they were first set. */
  keys(): Promise<string[]> {
    return this.callAsync('keys', () => [], asKeys);
  }

  /** As `keys`, blocking: what `Object.keys(ns)` does. */
  keysSync(): string[] {
    return this.callSync('keys', [], asKeys);
  }

  /** A plain-object copy of every attribute (one consistent snapshot). */
  toObject(): Promise<Record<string, unknown>> {
    return this.callAsync('items', () => [], asObject);
  }

  /** As `toObject`, blocking. */
  toObjectSync(): Record<string, unknown> {
    return this.callSync('items', [], asObject);
  }

  protected contentsSync(): unknown {
    return this.toObjectSync();
  }

  /** Python's repr: `Namespace(x=1, y='two')`. */
  protected override format(contents: unknown): string {
    const fields = Object.entries(contents as Record<string, unknown>).map(([key, value]) => `${key}=${inspect(value, { breakLength: Infinity, depth: 4 })}`);
    return `Namespace(${fields.join(', ')})`;
  }

  /** @internal One round trip telling an absent attribute (`[]`) from one set to undefined (`[undefined]`). */
  static lookup(namespace: Namespace, name: string): [] | [unknown] {
    return namespace.callSync('get', [checkKey(name)], (answer) => (answer === null ? [] : [decodeHubValue(answer as Uint8Array)]));
  }

  /** @internal */
  static fromHandle(data: ProxyHandleData): Namespace {
    return withAttributes(attachProxy(Namespace, data));
  }
}

/** Names that stay the object's own, not attributes: its methods, and `then` (a namespace is not a Promise). */
function isReserved(target: Namespace, name: string): boolean {
  return name === 'then' || name in target;
}

/** Wraps a Namespace in the Proxy that turns property access into hub calls. Every namespace a user sees is wrapped. */
export function withAttributes(target: Namespace): Namespace & Record<string, unknown> {
  return new Proxy(target, {
    get(namespace, name) {
      if (typeof name === 'symbol' || isReserved(namespace, name)) {
        // Methods and private fields need the real object as `this`, not the Proxy.
        const value: unknown = Reflect.get(namespace, name, namespace);
        return typeof value === 'function' ? value.bind(namespace) : value;
      }
      return namespace.getSync(name);
    },
    set(namespace, name, value) {
      if (typeof name === 'symbol' || isReserved(namespace, name)) {
        throw invalidArg(`managers: ${String(name)} is a Namespace method, not an attribute; use ns.set(${JSON.stringify(String(name))}, value)`, 'type');
      }
      namespace.setSync(name, value);
      return true;
    },
    deleteProperty(namespace, name) {
      if (typeof name === 'symbol' || isReserved(namespace, name)) return false;
      namespace.deleteSync(name);
      return true;
    },
    has(namespace, name) {
      if (typeof name === 'symbol' || isReserved(namespace, name)) return Reflect.has(namespace, name);
      return namespace.hasSync(name);
    },
    ownKeys(namespace) {
      return namespace.keysSync();
    },
    getOwnPropertyDescriptor(namespace, name) {
      if (typeof name === 'symbol' || isReserved(namespace, name)) return Reflect.getOwnPropertyDescriptor(namespace, name);
      const found = Namespace.lookup(namespace, name);
      return found.length === 0 ? undefined : { value: found[0], writable: true, enumerable: true, configurable: true };
    },
    defineProperty(namespace, name, descriptor) {
      if (typeof name === 'symbol' || isReserved(namespace, name) || !('value' in descriptor)) {
        throw invalidArg('managers: a Namespace attribute is a plain value; define it by assignment or ns.set()', 'type');
      }
      namespace.setSync(name, descriptor.value);
      return true;
    },
  }) as Namespace & Record<string, unknown>;
}

const done = (): void => undefined;
const asBoolean = (answer: unknown): boolean => answer === true;
const asKeys = (answer: unknown): string[] => answer as string[];

function decodeOrUndefined<V>(answer: unknown): V | undefined {
  return answer === null ? undefined : (decodeHubValue(answer as Uint8Array) as V);
}

function asObject(answer: unknown): Record<string, unknown> {
  return Object.fromEntries((answer as [string, Uint8Array][]).map(([key, bytes]) => [key, decodeHubValue(bytes)]));
}

registerHandleKind<ProxyHandleData>(NAMESPACE_KIND, (data) => Namespace.fromHandle(data));
