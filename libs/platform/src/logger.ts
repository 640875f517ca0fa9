import { LoggerModule } from 'nestjs-pino';
import type { DynamicModule } from '@nestjs/common';

/**
 * Paths that pino replaces with "[redacted]": credentials in HTTP requests
 * and signing secrets wherever a job or webhook is logged.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'secret',
  'secrets',
  '*.secret',
  '*.secrets',
  'job.secrets',
  'webhook.secret',
  'headers["webhook-signature"]',
];

/** JSON logs through pino, one field per id, secrets redacted. */
export function createLoggerModule(
  service: string,
  level: string,
): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      autoLogging: {
        ignore: (request) =>
          request.url === '/metrics' ||
          (request.url ?? '').startsWith('/health'),
      },
      customProps: () => ({}),
      serializers: {
        req: (request: { id: unknown; method: string; url: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url,
        }),
      },
    },
  });
}
