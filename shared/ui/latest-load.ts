/**
 * "Load again when the panel opens" for panel components: each run aborts the previous one, and only
 * the latest run that was not aborted reports its value or its error (a slow old answer never
 * overwrites a newer view).
 */
export class LatestLoad {
  #abort: AbortController | undefined;

  /** Aborts the run in flight, if any (e.g. when the component leaves the page). */
  cancel(): void {
    this.#abort?.abort();
  }

  async run<T>(load: ((signal: AbortSignal) => Promise<T>) | undefined, onValue: (value: T) => void, onError: (err: unknown) => void): Promise<void> {
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    try {
      if (!load) throw new Error('no loader set');
      const value = await load(abort.signal);
      if (!abort.signal.aborted) onValue(value);
    } catch (err) {
      if (!abort.signal.aborted) onError(err);
    }
  }
}
