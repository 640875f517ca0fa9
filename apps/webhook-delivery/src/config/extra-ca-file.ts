import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

const PEM_CERTIFICATE =
  /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads the CA certificates of EGRESS_EXTRA_CA_FILE, or none for an empty
 * path. A file that is missing, cannot be read, or contains no valid PEM
 * certificate stops the start with a message that names the path and the
 * fix, because TLS would otherwise fail later on every delivery.
 */
export function readExtraCaFile(path: string): string[] {
  if (!path) {
    return [];
  }
  const fix = 'point it at a PEM file of CA certificates or leave it unset';
  if (!existsSync(path)) {
    throw new Error(`EGRESS_EXTRA_CA_FILE=${path} does not exist; ${fix}`);
  }

  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `EGRESS_EXTRA_CA_FILE=${path} cannot be read (${(error as Error).message}); ${fix}`,
    );
  }

  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    throw new Error(
      `EGRESS_EXTRA_CA_FILE=${path} contains no PEM certificate; ${fix}`,
    );
  }
  certificates.forEach((pem, index) => {
    try {
      new X509Certificate(pem);
    } catch (error) {
      throw new Error(
        `EGRESS_EXTRA_CA_FILE=${path}: certificate ${index + 1} is invalid (${(error as Error).message}); ${fix}`,
      );
    }
  });

  return certificates;
}
