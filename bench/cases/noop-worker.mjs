// Does nothing: the raw-worker anchor times a worker that starts and ends.
