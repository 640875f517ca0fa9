import { runRoundTrip, RoundTripResult } from '../../tools/demo/round-trip';

/**
 * The demo's round trip through the real broker and database: registry
 * event, matcher, delivery worker, HTTPS receiver, delivery record, API.
 * Each hop is checked by what arrives at the next one.
 */
describe('round trip', () => {
  let result: RoundTripResult;
  const serviceLines: string[] = [];

  beforeAll(async () => {
    result = await runRoundTrip({
      log: () => undefined,
      serviceLog: (service, line) => serviceLines.push(`[${service}] ${line}`),
      timeoutMs: 30_000,
    });
  }, 180_000);

  it('delivers once to the receiver', () => {
    expect(result.received).toHaveLength(1);
  });

  it('signs the request verifiably', () => {
    expect(result.received[0].signatureValid).toBe(true);
  });

  it('sends the public fields as the body', () => {
    const body = JSON.parse(result.received[0].body);
    expect(Object.keys(body)).toEqual([
      'registry',
      'image',
      'tag',
      'ui_url',
      'digest',
      'manifests',
      'previous_digest',
      'previous_manifests',
    ]);
    expect(body.image).toBe('default/image');
  });

  it('sends event id and type in headers', () => {
    const headers = result.received[0].headers;
    expect(headers['quor-event-id']).toBe(result.eventId);
    expect(headers['quor-event-type']).toBe('image.updated');
    expect(headers['user-agent']).toMatch(/^Quor-Webhooks\//);
  });

  it('lists the delivery as a success', () => {
    expect(result.listed?.outcome).toBe('success');
    expect(result.listed?.status).toBe(200);
    expect(result.listed?.response_excerpt).toBe('{"received":true}');
  });

  it('keeps the request as sent in the record', () => {
    const request = result.detail?.request as {
      body: string;
      headers: Record<string, string>;
    };
    expect(request.body).toBe(result.received[0].body);
    expect(request.headers['webhook-id']).toBe(
      result.received[0].headers['webhook-id'],
    );
  });

  it('logs no error in any service', () => {
    const errors = serviceLines.filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
  });
});
