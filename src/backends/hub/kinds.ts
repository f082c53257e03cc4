/**
 * Every kind of process-scope object the hub can create: importing this
 * module registers them all (each file calls `registerHubKind`).
 */
import './queue.js';
import './lock.js';
import './rlock.js';
import './semaphore.js';
import './event.js';
import './condition.js';
import './barrier.js';
import './shared-array.js';
import './value.js';
import './manager.js';
import './dict.js';
import './list.js';
import './namespace.js';
import './hub-sink.js';
