import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min, MinLength } from 'class-validator';
import {
  ConfigurationError,
  describeVariable,
  loadConfig,
} from './load-config';

class ExampleConfig {
  @Transform(({ value }) => Number(value))
  @IsInt({ message: 'must be a TCP port number from 1 to 65535' })
  @Min(1, { message: 'must be a TCP port number from 1 to 65535' })
  @Max(65535, { message: 'must be a TCP port number from 1 to 65535' })
  HTTP_PORT = 3000;

  @Matches(/^amqps?:\/\/.+/, { message: 'must be an AMQP URL' })
  AMQP_URL = 'amqp://127.0.0.1';

  @MinLength(32, { message: 'must be a key of at least 32 characters' })
  JWT_SECRET = '';
}

function configurationError(env: NodeJS.ProcessEnv): ConfigurationError {
  try {
    loadConfig(ExampleConfig, env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return error;
    }
    throw error;
  }
  throw new Error('loadConfig accepted an invalid configuration');
}

const VALID_SECRET = 'k'.repeat(32);

describe('loadConfig', () => {
  it('converts and keeps defaults', () => {
    const config = loadConfig(ExampleConfig, {
      HTTP_PORT: '8080',
      JWT_SECRET: VALID_SECRET,
    });

    expect(config.HTTP_PORT).toBe(8080);
    expect(config.AMQP_URL).toBe('amqp://127.0.0.1');
  });

  it('lists each message of a variable once', () => {
    const error = configurationError({
      HTTP_PORT: 'abc',
      JWT_SECRET: VALID_SECRET,
    });

    expect(error.problems).toEqual([
      'HTTP_PORT="abc": must be a TCP port number from 1 to 65535',
    ]);
  });

  it('names every invalid variable', () => {
    const error = configurationError({ HTTP_PORT: '0', AMQP_URL: 'http://x' });

    expect(error.variables).toEqual(['HTTP_PORT', 'AMQP_URL', 'JWT_SECRET']);
  });

  it('puts every problem in one message', () => {
    const error = configurationError({ HTTP_PORT: '0' });

    expect(error.message).toBe(
      'invalid configuration: HTTP_PORT="0": must be a TCP port number from 1 to 65535; ' +
        'JWT_SECRET (not set): must be a key of at least 32 characters',
    );
  });
});

describe('describeVariable', () => {
  it('shows an ordinary value', () => {
    expect(describeVariable('LOG_LEVEL', 'loud')).toBe('LOG_LEVEL="loud"');
  });

  it('marks a missing value', () => {
    expect(describeVariable('JWT_SECRET', undefined)).toBe(
      'JWT_SECRET (not set)',
    );
  });

  it('hides a secret variable', () => {
    expect(describeVariable('JWT_SECRET', 'hunter2')).toBe(
      'JWT_SECRET (7 characters, not shown)',
    );
  });

  it('hides the password of a URL', () => {
    expect(
      describeVariable('AMQP_URL', 'http://quor:hunter2@broker:5672/vhost'),
    ).toBe('AMQP_URL="http://quor:***@broker:5672/vhost"');
  });

  it('hides a password containing @', () => {
    expect(describeVariable('DATABASE_URL', 'mysql://u:p@ss@db/x')).toBe(
      'DATABASE_URL="mysql://u:***@db/x"',
    );
  });

  it('keeps a URL without password', () => {
    expect(describeVariable('DATABASE_URL', 'mysql://db/x')).toBe(
      'DATABASE_URL="mysql://db/x"',
    );
  });
});
