/**
 * Entry point of the directory module for the composition root: build the configured adapter.
 * The root reads the environment (server-extension/src/config.ts) and passes a DirectoryConfig here.
 */
import { EmbeddedDirectory } from './embedded.ts';
import { DEFAULT_COUNT, DEFAULT_SEED, generateDirectory } from './generate.ts';
import { LdapDirectory } from './ldap.ts';
import type { Directory } from './port.ts';

export type { Directory } from './port.ts';
export { DirectoryError } from './errors.ts';
export { EmbeddedDirectory } from './embedded.ts';
export { LdapDirectory, type LdapDirectoryOptions } from './ldap.ts';

export type DirectoryConfig =
  | {
      kind: 'embedded';
      /** NDJSON written by generate.ts; absent: the default synthetic directory, generated in memory. */
      seedFile?: string;
      /** Without seedFile: users[] listed first (generate.ts `usersFile`), e.g. the sandbox's seeded people. */
      usersFile?: string;
    }
  | {
      kind: 'ldap';
      url: string;
      bindDN: string;
      /** Read from a file by the config layer (feature.ts); a Secret, so logging the config cannot leak it. */
      password: { reveal(): string };
      baseDN: string;
      poolSize?: number;
      connectTimeoutMs?: number;
      timeoutMs?: number;
    };

export function createDirectory(config: DirectoryConfig): Directory {
  if (config.kind === 'ldap') {
    const { kind: _kind, password, ...options } = config;
    return new LdapDirectory({ ...options, password: password.reveal() });
  }
  if (config.seedFile) return EmbeddedDirectory.fromSeedFile(config.seedFile);
  // The same entries as `generate.ts` with its defaults and the same users file, so the sandbox and the LDIF agree.
  return new EmbeddedDirectory(generateDirectory({ count: DEFAULT_COUNT, seed: DEFAULT_SEED, usersFile: config.usersFile }));
}
