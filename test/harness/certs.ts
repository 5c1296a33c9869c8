// Certificates for TLS peers in tests, made by the openssl command (argv, no shell): a station CA and a
// server certificate it signs for 127.0.0.1 and localhost, and a self-signed one for localhost alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnExit } from './util.js';

export interface TestCertificates {
  /** The CA's certificate (PEM): what a box is told to trust. */
  caCert: string;
  /** The server's key and certificate, signed by the CA, for IP 127.0.0.1 and DNS localhost. */
  serverKey: string;
  serverCert: string;
  /** A certificate for DNS localhost only (not 127.0.0.1) that signs itself, with its key. */
  strangerKey: string;
  strangerCert: string;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'rackcast-certs-'));
  removeOnExit(dir);
  const f = (name: string): string => join(dir, name);
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const san = 'subjectAltName=IP:127.0.0.1,DNS:localhost';
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=Radio X station CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=mail.radio-x.example']);
  writeFileSync(f('server.ext'), `${san}\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('server.ext')]);
  openssl(['req', '-x509', ...ec, '-keyout', f('stranger.key'), '-out', f('stranger.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost']);
  const read = (name: string): string => readFileSync(f(name), 'utf8');
  return { caCert: read('ca.pem'), serverKey: read('server.key'), serverCert: read('server.pem'), strangerKey: read('stranger.key'), strangerCert: read('stranger.pem') };
}
