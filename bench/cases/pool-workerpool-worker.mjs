// The worker of pool-workerpool.mjs: workerpool runs a script that registers its methods.
import workerpool from 'workerpool';
import { add, doubleChunk, hash } from './pool-task.mjs';

workerpool.worker({ add, doubleChunk, hash });
