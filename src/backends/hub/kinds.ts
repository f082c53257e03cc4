/**
 * Every kind of process-scope object the hub can create: importing this
 * module registers them all (each file calls `registerHubKind`).
 */
import './queue.js';
