/**
 * Structured JSON logs (pino). Patient data and secrets must never reach a log line, so every
 * logged object is deep-copied through `redact()` before pino serialises it: any property whose
 * NAME says it carries a secret (password, token, cookie, csrf, pin, key, code, secret,
 * authorization…) is replaced by "[redacted]", at any depth, including inside errors.
 * pino's own `redact` option only handles fixed paths, which is why the walk is ours.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { Secret, type LogLevel } from './config.ts';

export type { Logger };

export const REDACTED = '[redacted]';

/** Property names that carry secrets. Matched case-insensitively against the whole name or its parts. */
const SECRET_NAME =
  /(pass(word|wd|phrase)?|secret|token|cookie|csrf|authori[sz]ation|credential|preauth|private|signature|session|^pin$|^otp$|^code$|key$|^p12$|pkcs12|^set-cookie$)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A deep copy of `value` with secret-named properties replaced. Cycles and depth are bounded. */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth > 12) return '[too deep]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  if (value instanceof Secret) return REDACTED;
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out['type'] = value.name;
    out['message'] = value.message;
    if (value.stack) out['stack'] = value.stack;
    if (value.cause !== undefined) out['cause'] = redact(value.cause, depth + 1, seen);
  }
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretName(k) ? REDACTED : redact(v, depth + 1, seen);
  }
  return out;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; stdout by default (tests pass a memory stream). */
  destination?: DestinationStream;
}

/**
 * pino applies `formatters.bindings` to the base bindings only, never to `log.child({...})`
 * (pino lib/proto.js resets it for children), so child bindings are redacted here, at every level.
 */
function redactChildBindings(logger: Logger): Logger {
  const child = logger.child.bind(logger) as unknown as (bindings: Record<string, unknown>, options?: object) => Logger;
  const redacting = (bindings: Record<string, unknown>, options?: object): Logger =>
    redactChildBindings(child(redact(bindings) as Record<string, unknown>, options));
  logger.child = redacting as unknown as Logger['child'];
  return logger;
}

export function createLogger(opts: LoggerOptions): Logger {
  return redactChildBindings(pino(
    {
      level: opts.level,
      base: { service: 'esante' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Applied to every merging object, before serialisation: the one place secrets are removed.
      formatters: {
        log: (obj) => redact(obj) as Record<string, unknown>,
      },
      // Errors are already expanded by redact(); keep pino from re-serialising the original.
      serializers: { err: (e: unknown) => e },
      // Defence in depth for the obvious header paths, in case a caller bypasses the formatter.
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'headers.cookie', 'headers.authorization'], censor: REDACTED },
    },
    opts.destination,
  ));
}
