// A throwaway certificate authority for TLS tests (MTA-STS policy hosts, BIMI assets, SMTP servers for DANE):
// EC P-256 keys and certificates made with the openssl CLI in a temp dir. Fails with a clear message without openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCertificate {
  cert: string;
  key: string;
  /** PEM file paths, for CLIs (Postfix, swaks) that want files. */
  certFile: string;
  keyFile: string;
}

export interface TestCa {
  dir: string;
  caPem: string;
  caFile: string;
  /** A leaf for these DNS names, signed by the CA (or self-signed). */
  issue(names: string[], o?: { selfSigned?: boolean; days?: number; eku?: string }): IssuedCertificate;
  cleanup(): void;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function createTestCa(name = 'mailcheck test CA'): TestCa {
  if (!hasOpenssl()) throw new Error('openssl is not installed (Debian package `openssl`; .ci/run installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'mailcheck-ca-'));
  const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const caFile = join(dir, 'ca.pem');
  ssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    caFile,
    '-days',
    '3650',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let n = 0;
  return {
    dir,
    caFile,
    caPem: readFileSync(caFile, 'utf8'),
    issue(names, o = {}) {
      const id = `leaf${n++}`;
      const keyFile = join(dir, `${id}.key`);
      const certFile = join(dir, `${id}.pem`);
      const san = `subjectAltName=${names.map((x) => `DNS:${x}`).join(',')}`;
      if (o.selfSigned) {
        ssl([
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          keyFile,
          '-out',
          certFile,
          '-days',
          String(o.days ?? 365),
          '-subj',
          `/CN=${names[0]}`,
          '-addext',
          san,
        ]);
      } else {
        ssl([
          'req',
          '-new',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          keyFile,
          '-out',
          `${id}.csr`,
          '-subj',
          `/CN=${names[0]}`,
        ]);
        writeFileSync(
          join(dir, `${id}.ext`),
          `${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=${o.eku ?? 'serverAuth'}\n`,
        );
        ssl([
          'x509',
          '-req',
          '-in',
          `${id}.csr`,
          '-CA',
          caFile,
          '-CAkey',
          'ca.key',
          '-CAcreateserial',
          '-days',
          String(o.days ?? 365),
          '-out',
          certFile,
          '-extfile',
          `${id}.ext`,
        ]);
      }
      return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
