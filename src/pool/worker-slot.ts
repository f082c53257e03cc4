/**
 * One worker of a pool, as the pool sees it: the daemon Thread or Process
 * that runs `runPoolWorker`, the pool's end of its channel, and the tasks
 * sent to it that have not come back.
 *
 * | state    | meaning                                                      |
 * |----------|--------------------------------------------------------------|
 * | serving  | takes tasks                                                  |
 * | retiring | told to stop (maxTasksPerChild, close, a replaced worker); finishes what it has |
 * | exited   | its thread or process ended; its channel is drained          |
 *
 * `inFlight` keeps the tasks in the order they were sent, which is the
 * order the worker starts them: when a worker dies, the tasks it reported
 * `Started` are the ones it was running, and the rest never began.
 */
import { constants } from 'node:os';
import { Process, kEnded as kProcessEnded } from '../runner/process.js';
import { Thread, kEnded as kThreadEnded, kExitCode, kPorts, kTerminate } from '../runner/thread.js';
import type { TargetRef } from '../runtime/target.js';
import type { PoolTask } from './pool-task.js';
import { RingPoolChannel, SocketPoolChannel, type PoolChannel } from './pool-channel.js';
import type { WorkerSocketServer } from './process-channel.js';
import { runPoolWorker, type PoolWorkerConfig } from './worker-main.js';

export type WorkerKind = 'thread' | 'process';

/** How a worker ended. */
export interface WorkerExit {
  readonly exitCode: number | null;
  readonly signal: string | null;
}

export interface WorkerSpec {
  readonly kind: WorkerKind;
  readonly name: string;
  readonly initializer: TargetRef | undefined;
  readonly initargs: unknown[];
  /** For process workers: the pool's socket server. */
  readonly server: WorkerSocketServer | undefined;
}

let nextWorkerNumber = 1;

// How long a thread told to halt may take before it is terminated.
const HALT_GRACE_MS = 200;

export class WorkerSlot {
  readonly number = nextWorkerNumber++;
  readonly name: string;
  readonly channel: PoolChannel;
  /** Tasks sent and not yet answered, in the order sent. */
  readonly inFlight = new Map<number, PoolTask>();
  /** Functions this worker has been told about (`Define`). */
  readonly known = new Set<number>();
  state: 'serving' | 'retiring' | 'exited' = 'serving';
  /** Tasks sent to it in its life, for maxTasksPerChild. */
  sent = 0;
  /** How many tasks to keep in flight on it (adapted to task length by the engine). */
  window = 4;
  /** Mean run time of its recent tasks, µs (exponentially weighted). */
  meanRunMicros = 0;
  /** Set when the pool killed it on purpose (a task ignored its abort). */
  killedOnPurpose = false;
  #halting = false;
  readonly #worker: Thread<[PoolWorkerConfig]> | Process<[PoolWorkerConfig]>;
  readonly exited: Promise<WorkerExit>;

  constructor(spec: WorkerSpec) {
    this.name = spec.name;
    const transport = this.#transport(spec);
    this.channel = transport.channel;
    const config: PoolWorkerConfig = { transport: transport.config, initializer: spec.initializer, initargs: spec.initargs };
    const options = { target: runPoolWorker, args: [config] as [PoolWorkerConfig], name: spec.name, daemon: true };
    if (transport.channel instanceof RingPoolChannel) {
      const thread = new Thread(options);
      thread[kPorts]([transport.channel.workerPort]);
      this.#worker = thread;
    } else {
      this.#worker = new Process(options);
    }
    this.#worker.start();
    // Not join(): that would keep the program alive for a pool nobody closed, which Python's does not.
    const worker = this.#worker;
    const ended = worker instanceof Process ? worker[kProcessEnded]() : worker[kThreadEnded]();
    this.exited = ended.then(() => this.#exitOf());
  }

  #transport(spec: WorkerSpec): { channel: PoolChannel; config: PoolWorkerConfig['transport'] } {
    if (spec.kind === 'thread') {
      const channel = new RingPoolChannel();
      return { channel, config: { kind: 'ring', rings: channel.rings } };
    }
    const server = spec.server;
    if (server === undefined) throw new Error('pool: a process worker needs the pool socket server');
    const channel = new SocketPoolChannel();
    server.expect(this.number, (socket, leftover) => channel.attach(socket, leftover));
    return { channel, config: { kind: 'socket', address: server.address(this.number) } };
  }

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /**
   * Ends the worker now, whatever it is doing. A process is killed
   * (SIGKILL). A thread is first told to halt — between two tasks it exits
   * at once, through its normal exit path — and terminated only if it is
   * still there after HALT_GRACE_MS (a task stuck in synchronous code):
   * terminating a thread at an arbitrary instruction could cut it off inside
   * one of weft's own short critical sections (its exit path takes the
   * arena's allocation lock), which would leave that lock held.
   */
  kill(): void {
    const worker = this.#worker;
    if (worker instanceof Process) {
      if (worker.exitcode === null) worker.kill();
      return;
    }
    if (this.state === 'exited' || this.#halting) return;
    this.#halting = true;
    this.channel.out.halt();
    this.channel.flush();
    const timer = setTimeout(() => void worker[kTerminate](), HALT_GRACE_MS);
    timer.unref();
    void this.exited.then(() => clearTimeout(timer));
  }

  #exitOf(): WorkerExit {
    const worker = this.#worker;
    if (worker instanceof Process) {
      const code = worker.exitcode;
      if (code !== null && code < 0) return { exitCode: null, signal: signalName(-code) };
      return { exitCode: code, signal: null };
    }
    return { exitCode: worker[kExitCode], signal: null };
  }
}

function signalName(signal: number): string {
  const entry = Object.entries(constants.signals).find(([, number]) => number === signal);
  return entry?.[0] ?? `signal ${signal}`;
}
