/**
 * The repositories of a SQL store, built once over a driver's SqlClient (sql.ts): the SQL is the same
 * for SQLite and PostgreSQL (written to both dialects, placeholders translated by each client), so
 * both stores (sqlite.ts, postgres.ts) extend this and add only their connection, migration and
 * lifecycle. A new repository is added here, once.
 */
import { SqlEncryptionAccountRepository } from './accounts.ts';
import { SqlAuditRepository } from './audit.ts';
import { SqlDspFilingRepository } from './dsp.ts';
import { SqlNotificationJobRepository, SqlPortalRepository, SqlSecureMessageRepository } from './messages.ts';
import { SqlOperationsRepository } from './operations.ts';
import type { SqlClient } from './sql.ts';
import { SqlSsoRepository } from './sso.ts';

export abstract class SqlRepositories {
  readonly audit: SqlAuditRepository;
  readonly accounts: SqlEncryptionAccountRepository;
  readonly messages: SqlSecureMessageRepository;
  readonly notifications: SqlNotificationJobRepository;
  readonly portal: SqlPortalRepository;
  readonly sso: SqlSsoRepository;
  readonly dsp: SqlDspFilingRepository;
  /** Operators' views of the outbox (metrics, esante-admin): operations.ts. */
  readonly operations: SqlOperationsRepository;

  constructor(client: SqlClient, now: () => number) {
    this.audit = new SqlAuditRepository(client);
    this.accounts = new SqlEncryptionAccountRepository(client, now);
    this.messages = new SqlSecureMessageRepository(client);
    this.notifications = new SqlNotificationJobRepository(client);
    this.portal = new SqlPortalRepository(client);
    this.sso = new SqlSsoRepository(client, now);
    this.dsp = new SqlDspFilingRepository(client, now);
    this.operations = new SqlOperationsRepository(client);
  }
}
