import type { IncomingMessage } from 'node:http';

/** A request header's value (the first when it came several times); `name` in any case. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
