// Ending the servers the harness and the bucket start, as one piece both use.

/** Sends `signal` to `child` unless it has ended, and resolves once it has. */
export async function endProcess(child, signal) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
