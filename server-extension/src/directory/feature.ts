/**
 * The directory feature's entry in the service: builds its ports from the environment and the shared
 * context, and answers its SOAP handlers (see ../feature.ts).
 *
 * SOAP handlers (SearchProfessionals, GetProfessional, ListDirectoryReferences) are in handlers.ts;
 * their shapes are shared/directory/operations.ts `directoryOperations`. The Directory itself is built
 * (directoryFromEnv) and closed by the composition root, which also serves other features'
 * ProfessionalLookup from it; this feature only uses `ctx.directory`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, Secret, type Env } from '../config.ts';
import type { ConfigVar, Feature, FeatureContext } from '../feature.ts';
import { DEFAULT_BASE_DN } from './generate.ts';
import { type DirectoryConfig, createDirectory } from './index.ts';
import { directoryHandlers } from './handlers.ts';
import type { Directory } from './port.ts';

/** Environment variables this feature reads (listed in the README's configuration table). */
export const directoryConfigVars = [
  { name: 'ESANTE_DIRECTORY', default: 'embedded', description: 'Professional directory adapter: embedded (in-process index of synthetic data) or ldap (the eSanté LDAP directory, HPD schema in server-extension/ldap/).' },
  { name: 'ESANTE_DIRECTORY_SEED', default: '', description: 'embedded: NDJSON seed written by server-extension/src/directory/generate.ts; empty = the default synthetic directory (300 entries, seed "esante", preceded by the ESANTE_DIRECTORY_SEED_USERS).' },
  { name: 'ESANTE_DIRECTORY_SEED_USERS', default: '', description: 'embedded, without ESANTE_DIRECTORY_SEED: JSON file whose users[] are listed first, public (npm start names the sandbox\'s sandbox/seed/users.json, so its people are in the directory); empty = synthetic entries only.' },
  { name: 'ESANTE_LDAP_URL', default: '', description: 'ldap: ldap:// or ldaps:// URL of the directory (required with ESANTE_DIRECTORY=ldap).' },
  { name: 'ESANTE_LDAP_BIND_DN', default: '', description: 'ldap: DN of the service\'s read-only account (required with ESANTE_DIRECTORY=ldap).' },
  { name: 'ESANTE_LDAP_PASSWORD_FILE', default: '', description: 'ldap: file holding that account\'s password (required with ESANTE_DIRECTORY=ldap; the password itself is never put in the environment).' },
  { name: 'ESANTE_LDAP_BASE_DN', default: DEFAULT_BASE_DN, description: 'ldap: suffix of the directory; professionals are under ou=HCProfessional.' },
  { name: 'ESANTE_LDAP_POOL_SIZE', default: '4', description: 'ldap: bound connections kept open per service instance (1-32).' },
  { name: 'ESANTE_LDAP_CONNECT_TIMEOUT_MS', default: '2000', description: 'ldap: TCP connect timeout, in milliseconds.' },
  { name: 'ESANTE_LDAP_TIMEOUT_MS', default: '3000', description: 'ldap: deadline of one directory call, in milliseconds; past it the user gets directory.unavailable.' },
] as const satisfies readonly ConfigVar[];

type DirectoryVar = (typeof directoryConfigVars)[number]['name'];

/** Reads and checks the directory's variables; throws ConfigError naming every bad one. */
export function readDirectoryConfig(env: Env, cwd: string = process.cwd()): DirectoryConfig {
  const problems: string[] = [];
  const str = (name: DirectoryVar): string => {
    const v = env[name]?.trim();
    return v ? v : directoryConfigVars.find((c) => c.name === name)!.default;
  };
  const int = (name: DirectoryVar, min: number, max: number): number => {
    const raw = str(name);
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name}="${raw}" must be an integer between ${min} and ${max}`);
      return min;
    }
    return Number(raw);
  };
  const kind = str('ESANTE_DIRECTORY');
  let config: DirectoryConfig;
  if (kind === 'ldap') {
    const url = str('ESANTE_LDAP_URL');
    if (!/^ldaps?:\/\/[^/\s]+\/?$/.test(url)) problems.push(`ESANTE_LDAP_URL="${url}" must be an ldap:// or ldaps:// URL (host and port only)`);
    const bindDN = str('ESANTE_LDAP_BIND_DN');
    if (!bindDN) problems.push('ESANTE_LDAP_BIND_DN is required with ESANTE_DIRECTORY=ldap');
    const file = str('ESANTE_LDAP_PASSWORD_FILE');
    let password = new Secret('');
    if (!file) problems.push('ESANTE_LDAP_PASSWORD_FILE is required with ESANTE_DIRECTORY=ldap');
    else {
      try {
        const text = readFileSync(resolve(cwd, file), 'utf8').replace(/\r?\n$/, '');
        if (!text) problems.push(`ESANTE_LDAP_PASSWORD_FILE: file ${file} is empty`);
        password = new Secret(text);
      } catch (e) {
        problems.push(`ESANTE_LDAP_PASSWORD_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    config = {
      kind: 'ldap',
      url,
      bindDN,
      password,
      baseDN: str('ESANTE_LDAP_BASE_DN'),
      poolSize: int('ESANTE_LDAP_POOL_SIZE', 1, 32),
      connectTimeoutMs: int('ESANTE_LDAP_CONNECT_TIMEOUT_MS', 100, 60_000),
      timeoutMs: int('ESANTE_LDAP_TIMEOUT_MS', 100, 60_000),
    };
  } else {
    if (kind !== 'embedded') problems.push(`ESANTE_DIRECTORY="${kind}" must be embedded or ldap`);
    const seed = str('ESANTE_DIRECTORY_SEED');
    if (seed && !existsSync(resolve(cwd, seed))) problems.push(`ESANTE_DIRECTORY_SEED: file ${seed} does not exist`);
    // The service never reads the sandbox's files on its own: a development start names them (scripts/start.mjs).
    const users = str('ESANTE_DIRECTORY_SEED_USERS');
    if (users && !existsSync(resolve(cwd, users))) problems.push(`ESANTE_DIRECTORY_SEED_USERS: file ${users} does not exist`);
    config = seed ? { kind: 'embedded', seedFile: resolve(cwd, seed) } : users ? { kind: 'embedded', usersFile: resolve(cwd, users) } : { kind: 'embedded' };
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The Directory the environment asks for. */
export function directoryFromEnv(env: Env, cwd?: string): Directory {
  return createDirectory(readDirectoryConfig(env, cwd));
}

/** The directory itself is a core port built and closed by the composition root (ctx.directory). */
export function createDirectoryFeature(ctx: FeatureContext): Feature {
  const dir = ctx.directory;
  return {
    name: 'directory',
    handlers: directoryHandlers({ directory: dir }),
    async health() {
      // One indexed equality lookup: proves the directory answers without touching real data.
      try {
        await dir.findByMail('health-probe@directory.invalid');
        return true;
      } catch {
        return false;
      }
    },
  };
}
