import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface KeyAndCertificate {
  key: string;
  cert: string;
}

export interface TestPki {
  /** PEM of the test root CA, to pass as an extra trusted certificate. */
  caCertificate: string;
  /** Issues a leaf certificate for the given DNS names and IP addresses. */
  issue(names: string[], ipAddresses?: string[]): KeyAndCertificate;
}

function generateRsaKeyPair(): forge.pki.rsa.KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  const publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);

  return { privateKey: forgeKey, publicKey };
}

let serialCounter = 1;

function newCertificate(publicKey: forge.pki.PublicKey): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  certificate.serialNumber = (serialCounter++).toString(16).padStart(2, '0');
  certificate.validity.notBefore = new Date(Date.now() - 60_000);
  certificate.validity.notAfter = new Date(Date.now() + 24 * 3_600_000);

  return certificate;
}

/**
 * Creates a throwaway root CA with node-forge. Keys come from node:crypto,
 * because forge's pure JavaScript key generation takes seconds.
 */
export function createTestPki(): TestPki {
  const caKeys = generateRsaKeyPair();
  const caCertificate = newCertificate(caKeys.publicKey);
  const caSubject = [{ name: 'commonName', value: 'Quor egress test CA' }];
  caCertificate.setSubject(caSubject);
  caCertificate.setIssuer(caSubject);
  caCertificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCertificate.sign(caKeys.privateKey, forge.md.sha256.create());

  const issue = (
    names: string[],
    ipAddresses: string[] = [],
  ): KeyAndCertificate => {
    const leafKeys = generateRsaKeyPair();
    const leaf = newCertificate(leafKeys.publicKey);
    leaf.setSubject([{ name: 'commonName', value: names[0] ?? 'test' }]);
    leaf.setIssuer(caSubject);
    leaf.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.map((value) => ({ type: 2, value })),
          ...ipAddresses.map((ip) => ({ type: 7, ip })),
        ],
      },
      {
        name: 'authorityKeyIdentifier',
        keyIdentifier: caCertificate.generateSubjectKeyIdentifier().getBytes(),
      },
    ]);
    leaf.sign(caKeys.privateKey, forge.md.sha256.create());

    return {
      key: forge.pki.privateKeyToPem(leafKeys.privateKey),
      cert: forge.pki.certificateToPem(leaf),
    };
  };

  return { caCertificate: forge.pki.certificateToPem(caCertificate), issue };
}
