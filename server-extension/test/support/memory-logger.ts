/** A real pino logger (src/log.ts, with its redaction) writing into an array: tests read what was logged. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.ts';

/** Every line logged at `level` (default debug) or above, one JSON object per entry. */
export function memoryLogger(level: 'debug' | 'trace' | 'info' = 'debug'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { log: createLogger({ level, destination }), lines };
}
