import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface DemoCertificates {
  /** PEM of the CA that signed the receiver's certificate. */
  caCertificate: string;
  /** PEM certificate for `localhost` and 127.0.0.1, signed by the CA. */
  certificate: string;
  privateKey: string;
}

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

  return {
    privateKeyPem: privateKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    publicKey: forge.pki.publicKeyFromPem(publicKey),
  };
}

function baseCertificate(publicKey: forge.pki.PublicKey, days: number) {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  certificate.serialNumber = `01${randomBytes(8).toString('hex')}`;
  certificate.validity.notBefore = new Date(Date.now() - 60_000);
  certificate.validity.notAfter = new Date(
    Date.now() + days * 24 * 3600 * 1000,
  );

  return certificate;
}

/**
 * Generates a throwaway CA and a server certificate it signs, valid for one
 * day, for HTTPS receivers on loopback in the demo and in tests.
 */
export function generateDemoCertificates(
  hostNames: string[] = ['localhost'],
): DemoCertificates {
  const ca = keyPair();
  const caCertificate = baseCertificate(ca.publicKey, 1);
  const caName = [{ name: 'commonName', value: 'Quor webhooks demo CA' }];
  caCertificate.setSubject(caName);
  caCertificate.setIssuer(caName);
  caCertificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  caCertificate.sign(ca.privateKey, forge.md.sha256.create());

  const server = keyPair();
  const certificate = baseCertificate(server.publicKey, 1);
  certificate.setSubject([{ name: 'commonName', value: hostNames[0] }]);
  certificate.setIssuer(caName);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false },
    {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: true,
      critical: true,
    },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...hostNames.map((value) => ({ type: 2, value })),
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ]);
  certificate.sign(ca.privateKey, forge.md.sha256.create());

  return {
    caCertificate: forge.pki.certificateToPem(caCertificate),
    certificate: forge.pki.certificateToPem(certificate),
    privateKey: server.privateKeyPem,
  };
}
