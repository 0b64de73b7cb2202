/**
 * Settings of the DSP feature (README.md in this folder), read once at start. Embedded defaults
 * point at the sandbox's stand-ins (sandbox/dsp/, mounted under /sandbox/dsp/ of the sandbox).
 * OIDs: the agency's real assigning authorities are not public; the defaults sit under the ITU-T
 * example arc 2.999 (X.660 §A.3) so they can never collide with a real one. Replace them in production.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, envReader, type Config, type ConfigVar } from '../config.ts';

export const DSP_OIDS = {
  /** Assigning authority of matricules in the affinity domain (patientId CX.4). */
  patient: '2.999.352.1.1',
  /** Assigning authority of eHealth IDs (authorPerson XCN.9). */
  ehealth: '2.999.352.1.2',
  /** Organisations (authorInstitution XON.6). */
  organisation: '2.999.352.1.3',
  /** SubmissionSet.sourceId of this service. */
  source: '2.999.352.1.4',
  /** Repository unique id of the stand-in. */
  repository: '2.999.352.1.5',
} as const;

export const dspConfigVars: readonly ConfigVar[] = [
  { name: 'ESANTE_DSP_REPOSITORY_URL', default: '(ESANTE_ZIMBRA_URL)/sandbox/dsp/repository', description: 'DSP XDS.b Document Repository endpoint (ITI-41 Provide and Register Document Set-b, SOAP 1.2 + MTOM).' },
  { name: 'ESANTE_DSP_REGISTRY_URL', default: '(ESANTE_ZIMBRA_URL)/sandbox/dsp/registry', description: 'DSP XDS.b Document Registry endpoint (ITI-18 Registry Stored Query).' },
  { name: 'ESANTE_DSP_PDQ_URL', default: '(ESANTE_ZIMBRA_URL)/sandbox/dsp/pdq', description: 'Patient Demographics Supplier endpoint (ITI-47 PDQV3, HL7v3 over SOAP 1.2).' },
  { name: 'ESANTE_DSP_TIMEOUT_MS', default: '30000', description: 'Deadline of one call to the DSP or PDQ, in milliseconds; a filing whose answer does not come in time is settled with ITI-18.' },
  { name: 'ESANTE_DSP_MAX_DOCUMENT_BYTES', default: '20000000', description: 'Largest document that may be filed, in bytes (20 MB).' },
  { name: 'ESANTE_DSP_ALLOWED_TYPES', default: 'application/pdf,image/jpeg,image/png,text/plain', description: 'MIME types that may be filed, comma-separated.' },
  { name: 'ESANTE_DSP_VALUE_SETS_FILE', default: '(built-in IHE/LOINC defaults)', description: 'JSON file of the filing form\'s value sets (class, type, confidentiality, format, practice setting, facility type, language); shape in server-extension/src/dsp/README.md.' },
  { name: 'ESANTE_DSP_XUA_KEY_FILE', default: '(ESANTE_DATA_DIR)/dsp/xua-key.pem', description: 'PEM private key signing the XUA assertions (ITI-40); embedded mode creates a test key on first start.' },
  { name: 'ESANTE_DSP_XUA_CERT_FILE', default: '(ESANTE_DATA_DIR)/dsp/xua-cert.pem', description: 'PEM certificate of that key, which the DSP must trust as an X-Assertion Provider.' },
  { name: 'ESANTE_DSP_XUA_AUDIENCE', default: 'urn:esante:dsp', description: 'Audience of the XUA assertions (the DSP\'s entity id).' },
  { name: 'ESANTE_DSP_XUA_LIFETIME_SECONDS', default: '300', description: 'Validity of one XUA assertion, in seconds (60–3600).' },
  { name: 'ESANTE_DSP_TLS_CERT_FILE', default: '(empty)', description: 'Client certificate (PEM) for mutual TLS to the DSP and PDQ (https URLs); empty = no client certificate.' },
  { name: 'ESANTE_DSP_TLS_KEY_FILE', default: '(empty)', description: 'Private key (PEM) of that client certificate.' },
  { name: 'ESANTE_DSP_TLS_CA_FILE', default: '(empty)', description: 'CA certificate(s) (PEM) the DSP\'s server certificate must chain to; empty = the system roots.' },
  { name: 'ESANTE_DSP_AUDIT_URL', default: '(empty)', description: 'ATNA audit repository (ITI-20 syslog): udp://host:port, tcp://host:port or tls://host:port; empty = audit in the store only.' },
  { name: 'ESANTE_DSP_PATIENT_ID_ROOT', default: DSP_OIDS.patient, description: 'OID of the matricule assigning authority in the DSP affinity domain (CX.4 of patient ids).' },
  { name: 'ESANTE_DSP_EHEALTH_ID_ROOT', default: DSP_OIDS.ehealth, description: 'OID of the eHealth ID assigning authority (authors, XUA subject).' },
  { name: 'ESANTE_DSP_SOURCE_ID', default: DSP_OIDS.source, description: 'SubmissionSet.sourceId: the OID of this service as an XDS Document Source.' },
] as const;

export interface DspConfig {
  repositoryUrl: string;
  registryUrl: string;
  pdqUrl: string;
  timeoutMs: number;
  maxDocumentBytes: number;
  allowedTypes: string[];
  valueSetsFile: string | undefined;
  xuaKeyFile: string;
  xuaCertFile: string;
  xuaAudience: string;
  xuaLifetimeSeconds: number;
  tls: { cert?: Buffer; key?: Buffer; ca?: Buffer } | undefined;
  auditUrl: string | undefined;
  patientRoot: string;
  ehealthRoot: string;
  sourceId: string;
  issuer: string;
}

export function readDspConfig(env: Readonly<Record<string, string | undefined>>, core: Config, cwd: string = process.cwd()): DspConfig {
  const { problems, int, url, path, str } = envReader(env);
  const file = (name: string) => {
    const v = str(name, '');
    if (!v) return undefined;
    const p = path(name, v, cwd);
    if (!existsSync(p)) {
      problems.push(`${name}: file ${p} not found`);
      return undefined;
    }
    return readFileSync(p);
  };
  const tlsCert = file('ESANTE_DSP_TLS_CERT_FILE');
  const tlsKey = file('ESANTE_DSP_TLS_KEY_FILE');
  const tlsCa = file('ESANTE_DSP_TLS_CA_FILE');
  const vs = str('ESANTE_DSP_VALUE_SETS_FILE', '');
  const config: DspConfig = {
    repositoryUrl: url('ESANTE_DSP_REPOSITORY_URL', `${core.zimbra.url}/sandbox/dsp/repository`),
    registryUrl: url('ESANTE_DSP_REGISTRY_URL', `${core.zimbra.url}/sandbox/dsp/registry`),
    pdqUrl: url('ESANTE_DSP_PDQ_URL', `${core.zimbra.url}/sandbox/dsp/pdq`),
    timeoutMs: int('ESANTE_DSP_TIMEOUT_MS', 30_000, 100, 300_000),
    maxDocumentBytes: int('ESANTE_DSP_MAX_DOCUMENT_BYTES', 20_000_000, 1, 200_000_000),
    allowedTypes: str('ESANTE_DSP_ALLOWED_TYPES', 'application/pdf,image/jpeg,image/png,text/plain')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
    valueSetsFile: vs ? path('ESANTE_DSP_VALUE_SETS_FILE', vs, cwd) : undefined,
    xuaKeyFile: path('ESANTE_DSP_XUA_KEY_FILE', join(core.dataDir, 'dsp', 'xua-key.pem'), cwd),
    xuaCertFile: path('ESANTE_DSP_XUA_CERT_FILE', join(core.dataDir, 'dsp', 'xua-cert.pem'), cwd),
    xuaAudience: str('ESANTE_DSP_XUA_AUDIENCE', 'urn:esante:dsp'),
    xuaLifetimeSeconds: int('ESANTE_DSP_XUA_LIFETIME_SECONDS', 300, 60, 3600),
    tls: tlsCert || tlsKey || tlsCa ? { ...(tlsCert ? { cert: tlsCert } : {}), ...(tlsKey ? { key: tlsKey } : {}), ...(tlsCa ? { ca: tlsCa } : {}) } : undefined,
    auditUrl: str('ESANTE_DSP_AUDIT_URL', '') || undefined,
    patientRoot: str('ESANTE_DSP_PATIENT_ID_ROOT', DSP_OIDS.patient),
    ehealthRoot: str('ESANTE_DSP_EHEALTH_ID_ROOT', DSP_OIDS.ehealth),
    sourceId: str('ESANTE_DSP_SOURCE_ID', DSP_OIDS.source),
    issuer: `${core.publicUrl}/service/extension/esante`,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
