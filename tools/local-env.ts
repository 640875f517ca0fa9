/**
 * Defaults for running the services on one machine. The JWT key here is
 * public and only fit for local development; deployments set JWT_SECRET.
 */
export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const LOCAL_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
export const LOCAL_JWT_SECRET =
  'quor-local-development-only-jwt-key-0123456789';

export function localEnv(env: NodeJS.ProcessEnv = process.env) {
  return {
    DATABASE_URL: env.DATABASE_URL || LOCAL_DATABASE_URL,
    AMQP_URL: env.AMQP_URL || LOCAL_AMQP_URL,
    JWT_SECRET: env.JWT_SECRET || LOCAL_JWT_SECRET,
  };
}
