// The task of the weft/redis Pool benchmark (redis-pool.mjs): weft workers
// import it by its path under bench/ (their --root) and check its hash.
export function square(x) {
  return x * x;
}
