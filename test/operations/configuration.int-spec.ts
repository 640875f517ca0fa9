import path from 'node:path';
import { ServiceName } from '../../tools/service-process';
import { TEST_JWT_SECRET } from './support/platform-client';
import { freePort, LogRecord, RunningService } from './support/service-harness';

/**
 * Valid settings whose servers are closed loopback ports. A service that
 * passed validation would fail at its first connection with another
 * message, so each case passes only through the check it targets.
 */
const VALID_ENV = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/quor_ops_none',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
  JWT_SECRET: TEST_JWT_SECRET,
  LOG_LEVEL: 'info',
  EGRESS_EXTRA_CA_FILE: '',
};

/**
 * Bound on start-up and exit. Loading the TypeScript sources takes most of
 * it.
 */
const EXIT_TIMEOUT_MS = 10_000;

interface Case {
  service: ServiceName;
  variable: string;
  value: string;
  /** Text the single log line must contain. */
  expected: string;
  /** Text that must not be printed, such as a secret. */
  hidden?: string;
}

const CASES: Case[] = [
  {
    service: 'webhook-config',
    variable: 'HTTP_PORT',
    value: 'abc',
    expected: 'HTTP_PORT="abc": must be a TCP port number from 1 to 65535',
  },
  {
    service: 'webhook-config',
    variable: 'AMQP_URL',
    value: 'http://x',
    expected:
      'AMQP_URL="http://x": must be an AMQP URL such as amqp://guest:guest@127.0.0.1:5672',
  },
  {
    service: 'webhook-config',
    variable: 'DATABASE_URL',
    value: 'mysql://x',
    expected: 'DATABASE_URL="mysql://x": must be a PostgreSQL URL',
  },
  {
    service: 'webhook-config',
    variable: 'LOG_LEVEL',
    value: 'loud',
    expected:
      'LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace',
  },
  {
    service: 'webhook-config',
    variable: 'JWT_SECRET',
    value: 'short-key',
    expected:
      'JWT_SECRET (9 characters, not shown): must be a key of at least 32 characters',
    hidden: 'short-key',
  },
  {
    service: 'webhook-config',
    variable: 'JWT_SECRET',
    value: '',
    expected: 'JWT_SECRET (not set): must be a key of at least 32 characters',
  },
  {
    service: 'webhook-matcher',
    variable: 'HTTP_PORT',
    value: '70000',
    expected: 'HTTP_PORT="70000": must be a TCP port number from 1 to 65535',
  },
  {
    service: 'webhook-matcher',
    variable: 'AMQP_URL',
    value: 'http://quor:hunter2@127.0.0.1:1',
    expected: 'AMQP_URL="http://quor:***@127.0.0.1:1": must be an AMQP URL',
    hidden: 'hunter2',
  },
  {
    service: 'webhook-matcher',
    variable: 'MATCHER_PREFETCH',
    value: '0',
    expected: 'MATCHER_PREFETCH="0": must be a whole number from 1 to 32',
  },
  {
    service: 'webhook-delivery',
    variable: 'DELIVERY_CONCURRENCY',
    value: '0',
    expected: 'DELIVERY_CONCURRENCY="0": must be a whole number from 1 to 1000',
  },
  {
    service: 'webhook-delivery',
    variable: 'LOG_LEVEL',
    value: 'loud',
    expected: 'LOG_LEVEL="loud": must be one of fatal',
  },
  {
    service: 'webhook-delivery',
    variable: 'EGRESS_EXTRA_CA_FILE',
    value: '/nonexistent/quor-ca.pem',
    expected:
      'EGRESS_EXTRA_CA_FILE=/nonexistent/quor-ca.pem does not exist; point it at a PEM file',
  },
  {
    service: 'webhook-delivery',
    variable: 'EGRESS_EXTRA_CA_FILE',
    value: '/',
    expected:
      'EGRESS_EXTRA_CA_FILE=/ cannot be read (EISDIR: illegal operation on a directory, read); point it at a PEM file',
  },
  {
    service: 'webhook-delivery',
    variable: 'EGRESS_EXTRA_CA_FILE',
    value: path.resolve(__dirname, '../../package.json'),
    expected: `EGRESS_EXTRA_CA_FILE=${path.resolve(__dirname, '../../package.json')} contains no PEM certificate; point it at a PEM file`,
  },
];

interface Outcome {
  code: number | null;
  durationMs: number;
  lines: string[];
}

async function runUntilExit(
  service: ServiceName,
  env: Record<string, string>,
): Promise<Outcome> {
  const startedAt = Date.now();
  const running = new RunningService(service, await freePort(), env);
  const timer = setTimeout(() => running.terminate(1_000), EXIT_TIMEOUT_MS);
  try {
    const { code } = await running.exited;

    return { code, durationMs: Date.now() - startedAt, lines: running.lines };
  } finally {
    clearTimeout(timer);
  }
}

function parseLine(line: string): LogRecord {
  return JSON.parse(line) as LogRecord;
}

describe('configuration validation', () => {
  describe.each(CASES)(
    '$service with $variable=$value',
    ({ service, variable, value, expected, hidden }) => {
      let outcome: Outcome;

      beforeAll(async () => {
        outcome = await runUntilExit(service, {
          ...VALID_ENV,
          [variable]: value,
        });
      }, EXIT_TIMEOUT_MS + 5_000);

      it('exits with code 1', () => {
        expect(outcome.code).toBe(1);
      });

      it('exits within the time bound', () => {
        expect(outcome.durationMs).toBeLessThan(EXIT_TIMEOUT_MS);
      });

      it('prints exactly one line', () => {
        expect(outcome.lines).toHaveLength(1);
      });

      it('logs one JSON error record', () => {
        const record = parseLine(outcome.lines[0]);
        expect(record.level).toBe(50);
        expect(record.service).toBe(service);
      });

      it('names the variable and the expected form', () => {
        expect(parseLine(outcome.lines[0]).msg).toContain(expected);
      });

      if (hidden) {
        it('does not print the secret', () => {
          expect(outcome.lines.join('\n')).not.toContain(hidden);
        });
      }
    },
  );

  describe.each(['webhook-config', 'webhook-matcher'] as const)(
    '%s with PostgreSQL unreachable',
    (service) => {
      let outcome: Outcome;

      beforeAll(async () => {
        outcome = await runUntilExit(service, VALID_ENV);
      }, EXIT_TIMEOUT_MS + 5_000);

      it('exits with code 1', () => {
        expect(outcome.code).toBe(1);
      });

      it('logs the failed connection', () => {
        const last = parseLine(outcome.lines[outcome.lines.length - 1]);
        expect(last.msg).toMatch(
          new RegExp(`^${service} failed to start: .*ECONNREFUSED`),
        );
      });
    },
  );

  describe('webhook-delivery with a missing virtual host', () => {
    let outcome: Outcome;

    beforeAll(async () => {
      outcome = await runUntilExit('webhook-delivery', {
        ...VALID_ENV,
        AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672/quor_ops_no_such_vhost',
      });
    }, EXIT_TIMEOUT_MS + 5_000);

    it('exits with code 1', () => {
      expect(outcome.code).toBe(1);
    });

    it('logs only JSON lines', () => {
      for (const line of outcome.lines) {
        expect(() => parseLine(line)).not.toThrow();
      }
    });

    it('names the broker address and what to check', () => {
      const last = parseLine(outcome.lines[outcome.lines.length - 1]);
      expect(last.msg).toMatch(
        new RegExp(
          '^webhook-delivery failed to start: cannot connect to the broker at ' +
            'amqp://guest:\\*\\*\\*@127\\.0\\.0\\.1:5672/quor_ops_no_such_vhost: .+; ' +
            'check AMQP_URL: host, port, user, password and virtual host, which must exist$',
        ),
      );
    });
  });
});
