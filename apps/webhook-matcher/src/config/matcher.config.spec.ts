import { ConfigurationError, loadConfig } from '@quor/platform';
import { MatcherConfig } from './matcher.config';

describe('MatcherConfig', () => {
  it('uses defaults for an empty environment', () => {
    const config = loadConfig(MatcherConfig, {});

    expect(config.HTTP_PORT).toBe(3001);
    expect(config.RUN_MIGRATIONS).toBe(true);
    expect(config.MATCHER_PREFETCH).toBe(8);
    expect(config.FAN_OUT_BATCH_SIZE).toBe(1000);
    expect(config.PROCESSED_EVENT_RETENTION_DAYS).toBe(30);
    expect(config.MATCHER_SHUTDOWN_GRACE_MS).toBe(10_000);
  });

  it('rejects a shutdown grace of 15 s naming the variable', () => {
    expect(() =>
      loadConfig(MatcherConfig, { MATCHER_SHUTDOWN_GRACE_MS: '15000' }),
    ).toThrow(
      'MATCHER_SHUTDOWN_GRACE_MS="15000": must be a whole number from 0 to 14000',
    );
  });

  it('rejects retention of 0 days naming the variable', () => {
    expect(() =>
      loadConfig(MatcherConfig, { PROCESSED_EVENT_RETENTION_DAYS: '0' }),
    ).toThrow(
      'PROCESSED_EVENT_RETENTION_DAYS="0": must be a whole number from 1 to 3650',
    );
  });

  it('reads RUN_MIGRATIONS=false as false', () => {
    expect(
      loadConfig(MatcherConfig, { RUN_MIGRATIONS: 'false' }).RUN_MIGRATIONS,
    ).toBe(false);
  });

  it('rejects batch size 0 naming the variable', () => {
    expect(() =>
      loadConfig(MatcherConfig, { FAN_OUT_BATCH_SIZE: '0' }),
    ).toThrow('FAN_OUT_BATCH_SIZE="0": must be a whole number from 1 to 50000');
  });

  it('rejects RUN_MIGRATIONS=yes', () => {
    expect(() => loadConfig(MatcherConfig, { RUN_MIGRATIONS: 'yes' })).toThrow(
      ConfigurationError,
    );
  });
});
