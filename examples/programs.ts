/**
 * The tutorial's programs, in the tutorial's order, with what each one
 * shows. The `weft` command (`weft tour`, which `npm start` runs, and
 * `weft run`) and the example tests read this list.
 *
 * Each entry is one run of one file. A program's name is its file without
 * `.ts`, and its variants are the `args` of its entries: the entry with
 * `args: ['--no-lock']` is what `weft run tickets --no-lock` runs, and its
 * title is how `weft --help` describes that variant.
 */
export interface TutorialProgram {
  /** File in examples/. */
  readonly file: string;
  readonly args?: readonly string[];
  readonly title: string;
  /** One sentence on the concept. */
  readonly concept: string;
  /** What to notice in the output. */
  readonly notice: string;
  /** File in examples/ holding the exact expected output. */
  readonly expected: string;
  /**
   * Lines between the first and the last may come in any order (processes
   * print concurrently); the expected file shows one order.
   */
  readonly anyOrder?: boolean;
  /**
   * For a race the tutorial shows with a timing window (threads that read,
   * sleep a second, write): what a machine too loaded to start every
   * thread inside that window prints instead. The lesson holds either way
   * (updates were lost); only how many depends on the machine.
   */
  readonly loadedMachineOutput?: RegExp;
  /**
   * For a program that needs a service the machine may not have (a Redis
   * server): the one line it prints instead when the service is not there.
   * The tour shows that line and goes on; the example test skips.
   */
  readonly skippedOutput?: RegExp;
}

export const programs: readonly TutorialProgram[] = [
  {
    file: 'thread-function.ts',
    title: 'A thread running a function',
    concept: 'Thread({ target, args }) runs an exported function on a worker thread; join() waits for it to end.',
    notice: 'the main thread prints only after join(): "Sub thread end" comes first, and the thread\'s write to the shared Value (200) is visible.',
    expected: 'thread-function.expected.txt',
  },
  {
    file: 'thread-subclass.ts',
    title: 'A Thread subclass',
    concept: 'Subclass Thread and override run(); the subclass\'s own fields travel with it to the new thread.',
    notice: 'the same output as the function version: run() ran in the new thread, with the shared Value it was given.',
    expected: 'thread-subclass.expected.txt',
  },
  {
    file: 'thread-daemon.ts',
    title: 'A daemon (guardian) thread',
    concept: 'daemon = true, set before start(), means the program does not wait for the thread at exit.',
    notice: 'this program joins its daemon thread, so the thread still runs to its end; without join() it would be cut off when the main thread finished.',
    expected: 'thread-daemon.expected.txt',
  },
  {
    file: 'thread-mutex.ts',
    args: ['--no-lock'],
    title: 'Ten threads, no lock',
    concept: 'Each thread reads a shared number, sleeps a second, and writes it back minus one.',
    notice: '99, not 90: all ten threads read 100 before any of them wrote, so nine decrements were lost.',
    expected: 'thread-mutex.no-lock.expected.txt',
    // 99 when all ten threads read before any writes; a thread that starts more
    // than a second after the first reads a written value: 98, 97… but never 90,
    // which only the lock gives.
    loadedMachineOutput: /^9[1-8]\n$/,
  },
  {
    file: 'thread-mutex.ts',
    title: 'Ten threads, with a mutex',
    concept: 'The same threads, each holding a Lock around its read-sleep-write.',
    notice: '90: the lock made each read-sleep-write atomic, so the threads ran one at a time (about ten seconds).',
    expected: 'thread-mutex.expected.txt',
  },
  {
    file: 'queue-threads.ts',
    title: 'A queue between two threads',
    concept: 'One thread stores five records in a Queue, another fetches them: first in, first out, through shared memory.',
    notice: 'the records come out in the order they went in, and the second thread sees what the first stored: both were handed the same queue.',
    expected: 'queue-threads.expected.txt',
  },
  {
    file: 'queue-ipc.ts',
    title: 'A queue between two processes (IPC)',
    concept: 'A JoinableQueue(3) shared by a producer and a consumer process: put() blocks while the queue holds three records, get() while it holds none.',
    notice: 'the producer stores three records, then blocks on the fourth (it sees the queue full() first); once the consumer starts taking records, the producer goes on, and the two print side by side. The tutorial joins the producer before starting the consumer, which would wait forever.',
    expected: 'queue-ipc.expected.txt',
    anyOrder: true,
  },
  {
    file: 'process-join.ts',
    title: 'Three child processes, joined',
    concept: 'Process({ target, args }) runs an exported function in a new process; join() waits for it and reclaims it.',
    notice: 'the three children sleep in parallel (about one second in all, not three), and "End main process" comes last, after every join().',
    expected: 'process-join.expected.txt',
    anyOrder: true,
  },
  {
    file: 'process-zombie.ts',
    title: 'Zombie processes',
    concept: 'A child that has ended but has not been waited for (reaped) by its parent is a zombie: its pid stays taken. In Python a Process stays one until join(); weft reaps each child the moment it ends.',
    notice: '/proc shows the shell\'s unreaped child in state Z, while the weft child, never joined, is already gone from /proc with its exitcode known.',
    expected: 'process-zombie.expected.txt',
  },
  {
    file: 'process-orphan.ts',
    title: 'Orphan processes',
    concept: 'A child whose parent ends abnormally (here SIGKILL) runs on, adopted by another process that will reap it; a daemon child ends with its parent.',
    notice: 'after the kill, the child\'s parent pid in /proc changed, and it ended only when it chose to; the daemon child ended with its parent, its lock released by its end.',
    expected: 'process-orphan.expected.txt',
  },
  {
    file: 'process-daemon.ts',
    title: 'Daemon processes',
    concept: 'daemon = true, set before start(), means the children end when the main process ends.',
    notice: 'this program joins its daemons, so they run to their end; without join() they would be terminated when the main process ended.',
    expected: 'process-daemon.expected.txt',
  },
  {
    file: 'process-isolation.ts',
    title: 'Data is isolated between processes',
    concept: 'Each process has its own copy of every module: a child changing a global, or its copy of an argument, changes nothing in the parent.',
    notice: 'func1 saw 10 and func2 saw 100, yet the main process still prints 0.',
    expected: 'process-isolation.expected.txt',
  },
  {
    file: 'tickets.ts',
    args: ['--no-lock'],
    title: 'Nine processes buy one ticket, no lock',
    concept: 'Nine processes each check the one ticket left in data.json, then buy it: read the balance, wait for the network, write it back minus one.',
    notice: 'nine successes for one ticket: every process read 1 before any of them wrote 0.',
    expected: 'tickets.no-lock.expected.txt',
    anyOrder: true,
  },
  {
    file: 'tickets.ts',
    title: 'Nine processes buy one ticket, with a process mutex',
    concept: 'The same processes, each holding a process-scope Lock (weft/multiprocessing) around its buy.',
    notice: 'exactly one "succeeded": the lock made each read-wait-write atomic across processes, so the others read 0.',
    expected: 'tickets.expected.txt',
    anyOrder: true,
  },
  {
    file: 'tickets-redis.ts',
    title: 'Nine machines buy one ticket, with a Redis lock',
    concept: 'The same sale across "machines": each buyer is a process with its own connection to Redis (weft/redis), as if on a machine of its own, holding a machine-scope Lock around its buy.',
    notice: 'exactly one "succeeded", as with the process mutex: the lock lives on the Redis server, so it works the same whichever machine each buyer runs on. Without a Redis server the program says so in one line.',
    expected: 'tickets-redis.expected.txt',
    anyOrder: true,
    skippedOutput: /^\(skipped: no Redis server answers at \S+; start one, or set WEFT_REDIS_URL\)\n$/,
  },
];
