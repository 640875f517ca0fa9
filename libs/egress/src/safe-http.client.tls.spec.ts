import {
  createReceiverFixture,
  JSON_HEADERS,
  receiverUrl,
} from './testing/receiver-fixture';
import { TestHandler } from './testing/test-server';

const fixture = createReceiverFixture();

afterEach(() => fixture.cleanup());

const answerOk: TestHandler = (_request, response) => {
  response.end('ok');
};

describe('SafeHttpClient TLS', () => {
  it('rejects a TLS 1.1 server', async () => {
    const server = await fixture.startReceiver(answerOk, {
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      // OpenSSL 3 disables TLS 1.0 and 1.1 at its default security level.
      ciphers: 'DEFAULT@SECLEVEL=0',
    });

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });

    expect(result.outcome).toBe('tls_error');
    expect(result.errorMessage).toContain('TLS 1.2');
    expect(server.requests()).toBe(0);
  });

  it('rejects a certificate for another name', async () => {
    const otherCertificate = fixture.pki.issue(['other.quor.test']);
    const server = await fixture.startReceiver(answerOk, otherCertificate);

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });

    expect(result.outcome).toBe('tls_error');
    expect(result.errorMessage).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(server.requests()).toBe(0);
  });

  it('rejects a CA that is not trusted', async () => {
    const server = await fixture.startReceiver(answerOk);

    const result = await fixture
      .createClient({ extraCaCertificates: [] })
      .post({ url: receiverUrl(server), headers: JSON_HEADERS, body: '{}' });

    expect(result.outcome).toBe('tls_error');
    expect(result.errorMessage).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(server.requests()).toBe(0);
  });

  it('accepts a CA added as extra', async () => {
    const server = await fixture.startReceiver(answerOk);

    const result = await fixture.createClient().post({
      url: receiverUrl(server),
      headers: JSON_HEADERS,
      body: '{}',
    });

    expect(result.outcome).toBe('success');
    expect(result.timings.tls_ms).not.toBeNull();
  });
});
