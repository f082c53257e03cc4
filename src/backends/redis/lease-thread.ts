/**
 * The lease thread of a machine-scope connection: `runRedisLease()` is the
 * entry of a worker thread that the connection starts (scope.ts). It holds
 * a Redis connection of its own and renews the lease every `lease / 3` ms
 * with the `beat` script, which also reaps expired connections.
 *
 * It is a thread so that a busy main thread cannot starve it (the failure
 * behind BullMQ's stalled CPU-bound jobs and redis-semaphore's lost
 * mutexes): as long as the process runs, its lease holds. A frozen process
 * (SIGSTOP, a VM pause) freezes this thread too, and loses its lease, as
 * it should.
 *
 * A beat that finds the connection was reaped bumps the shared epoch and
 * tells the main thread (`'reaped'`), which re-queues its waits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BEAT } from './lease-lua.js';
import { clock, LeaseShared } from './lease-shared.js';
import { runScript } from './script.js';
import { RespClient } from './resp-client.js';

export interface LeaseSeed {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly id: number;
  readonly lease: number;
  readonly shared: SharedArrayBuffer;
}

/** Entry point of the lease thread. */
export function runRedisLease(): void {
  void beatForever(workerData as LeaseSeed);
}

async function beatForever(seed: LeaseSeed): Promise<void> {
  const shared = new LeaseShared(seed.shared);
  // A small client of its own (resp-client.ts): beating within a fraction of
  // the lease after start-up, where @redis/client takes a good part of a second to load.
  // A failed beat is retried at the next tick; the lease says the rest.
  const sender = new RespClient(seed.redisUrl);
  const beat = async (): Promise<void> => {
    const sentAt = clock();
    try {
      const alive = await runScript<number>(sender, BEAT, `${seed.prefix}procs`, seed.prefix, [seed.id, seed.lease]);
      if (alive === 0) {
        shared.reaped();
        parentPort?.postMessage('reaped');
      }
      shared.renewed(sentAt, seed.lease);
    } catch {
      // The server is unreachable: validUntil stays where it was and runs out.
    }
  };
  // One beat at a time: the next is planned when the last one is answered.
  const every = Math.max(1, Math.floor(seed.lease / 3));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, every));
    await beat();
  }
}
