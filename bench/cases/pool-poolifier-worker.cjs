// The worker of pool-poolifier.mjs: a ThreadWorker in a worker thread, a ClusterWorker in
// a cluster worker process (FixedClusterPool forks this file). CommonJS, because
// poolifier 5.3.2's FixedClusterPool never answers a task with an ES-module worker file
// on Node 20 (the workers come online, execute() hangs); the tasks are the ES module's,
// through require(esm).
const cluster = require('node:cluster');
const { ClusterWorker, ThreadWorker } = require('poolifier');
const { addTask, doubleChunk, hashTask } = require('./pool-task.mjs');

const tasks = { add: addTask, doubleChunk, hash: hashTask };
module.exports = cluster.isWorker ? new ClusterWorker(tasks) : new ThreadWorker(tasks);
