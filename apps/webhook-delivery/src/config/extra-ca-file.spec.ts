import { createTestPki } from '@quor/egress/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readExtraCaFile } from './extra-ca-file';

describe('readExtraCaFile', () => {
  let directory: string;

  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'quor-extra-ca-'));
  });

  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  function file(name: string, text: string): string {
    const filePath = path.join(directory, name);
    writeFileSync(filePath, text);

    return filePath;
  }

  it('returns nothing for an empty path', () => {
    expect(readExtraCaFile('')).toEqual([]);
  });

  it('returns each certificate of the file', () => {
    const ca = createTestPki().caCertificate;
    const filePath = file('two.pem', `${ca}\n${ca}`);

    expect(readExtraCaFile(filePath)).toHaveLength(2);
  });

  it('rejects a PEM block that is no certificate', () => {
    const filePath = file(
      'broken.pem',
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
    );

    expect(() => readExtraCaFile(filePath)).toThrow(
      new RegExp(`^EGRESS_EXTRA_CA_FILE=${filePath}: certificate 1 is invalid`),
    );
  });
});
