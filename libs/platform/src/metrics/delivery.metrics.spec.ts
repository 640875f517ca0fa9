import { DeliveryRecordMessage } from '@quor/contracts';
import { MetricValueWithName, Registry } from 'prom-client';
import { DeliveryMetrics } from './delivery.metrics';

function attemptRecord(
  fields: Partial<DeliveryRecordMessage>,
): DeliveryRecordMessage {
  return {
    kind: 'event',
    outcome: 'success',
    occurred_at: '2026-01-01T00:00:00.000Z',
    completed_at: '2026-01-01T00:00:02.500Z',
    timings: { total_ms: 300 },
    ...fields,
  } as DeliveryRecordMessage;
}

/** Returns the `_count` or `_sum` sample of histogram `name`. */
async function histogramSample(
  registry: Registry,
  name: string,
  suffix: '_count' | '_sum',
): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  const values = (metric?.values ?? []) as MetricValueWithName<string>[];

  return values.find((value) => value.metricName === `${name}${suffix}`)?.value;
}

describe('DeliveryMetrics', () => {
  let registry: Registry;
  let metrics: DeliveryMetrics;

  beforeEach(() => {
    registry = new Registry();
    metrics = new DeliveryMetrics(registry);
  });

  it('starts every outcome at 0', async () => {
    const counter = await registry
      .getSingleMetric('quor_deliveries_total')
      ?.get();

    expect(counter?.values.map((value) => value.labels.outcome)).toEqual([
      'success',
      'http_error',
      'timeout',
      'dns_failure',
      'blocked',
      'tls_error',
      'connection_error',
    ]);
  });

  it('counts an attempt by outcome', async () => {
    metrics.recordAttempt(attemptRecord({ outcome: 'timeout' }));

    const counter = await registry
      .getSingleMetric('quor_deliveries_total')
      ?.get();
    const timeout = counter?.values.find(
      (value) => value.labels.outcome === 'timeout',
    );
    expect(timeout?.value).toBe(1);
  });

  it('observes the attempt duration in seconds', async () => {
    metrics.recordAttempt(attemptRecord({}));

    expect(
      await histogramSample(
        registry,
        'quor_delivery_attempt_duration_seconds',
        '_sum',
      ),
    ).toBeCloseTo(0.3);
  });

  it('measures from occurred_at to completed_at', async () => {
    metrics.recordAttempt(attemptRecord({}));

    expect(
      await histogramSample(registry, 'quor_event_to_delivery_seconds', '_sum'),
    ).toBeCloseTo(2.5);
  });

  it('skips redeliveries and pings for event latency', async () => {
    metrics.recordAttempt(attemptRecord({ kind: 'redelivery' }));
    metrics.recordAttempt(attemptRecord({ kind: 'ping' }));

    expect(
      await histogramSample(
        registry,
        'quor_event_to_delivery_seconds',
        '_count',
      ),
    ).toBe(0);
    expect(
      await histogramSample(
        registry,
        'quor_delivery_attempt_duration_seconds',
        '_count',
      ),
    ).toBe(2);
  });

  it('counts a future occurred_at as 0 s', async () => {
    metrics.recordAttempt(
      attemptRecord({ occurred_at: '2026-01-01T00:00:05.000Z' }),
    );

    expect(
      await histogramSample(registry, 'quor_event_to_delivery_seconds', '_sum'),
    ).toBe(0);
  });
});
