import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts `server` on port and host; resolves with its base URL (`http://host:port`, an IPv6 host in
 * brackets, RFC 3986 §3.2.2) once it listens, rejects with the listen error (EADDRINUSE…). One way
 * for the service's listener and the metrics listener.
 */
export function listenOn(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
    });
  });
}
