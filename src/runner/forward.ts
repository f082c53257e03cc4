/**
 * A child process's trace leaves with it: at exit its main thread sends
 * everything its collector holds to the hub (`backends/hub/hub-sink.ts`), batch by batch
 * one-way, then waits for one `sync` answer — after which the root has it all.
 */
import { hubCallSync, hubCreate, hubSend } from '../backends/hub/client.js';
import { collector } from '../trace/collector.js';
import { TRACE_KIND } from '../backends/hub/hub-sink.js';
import { linkReady } from '../backends/hub/tree.js';
import { session } from '../trace/session.js';

/** How long an exiting child waits for the hub to take its trace. */
const SYNC_TIMEOUT_MS = 10_000;

/** In the root, before the trace is written: the hub's own events (if it runs) are relayed first. Never throws. */
export function flushHubTrace(): void {
  if (!linkReady()) return;
  try {
    hubCallSync(hubCreate(TRACE_KIND, []), 'flush', [], SYNC_TIMEOUT_MS);
  } catch {
    // The hub is gone: what it recorded is lost, the rest is written.
  }
}

session().beforeWrite = flushHubTrace;

/** Sends this process's collected events to the root, through the hub. Never throws: an exit must not fail for a trace. */
export function forwardToHub(): void {
  const batches = collector().take();
  if (batches.length === 0) return;
  try {
    const sink = hubCreate(TRACE_KIND, []);
    for (const batch of batches) hubSend(sink, 'events', [batch]);
    hubCallSync(sink, 'sync', [], SYNC_TIMEOUT_MS);
  } catch (error) {
    process.stderr.write(`weft: trace events of process ${process.pid} were lost: ${(error as Error).message}\n`);
  }
}
