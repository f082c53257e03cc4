// Preloaded (`node --import ./cases/trace-on.mjs case.mjs …`) to run a
// benchmark program with tracing on, as `WEFT_TRACE=… node case.mjs` would:
// the root and every thread it starts record. The trace goes to /dev/null —
// what is measured is recording, not writing the file at exit.
process.env.WEFT_TRACE = '/dev/null';
