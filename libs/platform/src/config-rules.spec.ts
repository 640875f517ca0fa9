import { IsPort, IsWholeNumber } from './config-rules';
import { ConfigurationError, loadConfig } from './load-config';

class NumbersConfig {
  @IsWholeNumber(1, 5000)
  BATCH_SIZE = 10;

  @IsPort()
  HTTP_PORT = 3000;
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(NumbersConfig, env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return error.problems;
    }
    throw error;
  }

  return [];
}

describe('number rules', () => {
  it('reads decimal digits', () => {
    const config = loadConfig(NumbersConfig, {
      BATCH_SIZE: '64',
      HTTP_PORT: '8080',
    });

    expect(config.BATCH_SIZE).toBe(64);
    expect(config.HTTP_PORT).toBe(8080);
  });

  it.each(['1e3', '0x10', ' 64', '64 ', '+64', '64.0'])(
    'rejects %j as a whole number',
    (value) => {
      expect(problemsOf({ BATCH_SIZE: value })).toEqual([
        `BATCH_SIZE=${JSON.stringify(value)}: must be a whole number from 1 to 5000`,
      ]);
    },
  );

  it('rejects port in exponent form', () => {
    expect(problemsOf({ HTTP_PORT: '8e3' })).toEqual([
      'HTTP_PORT="8e3": must be a TCP port number from 1 to 65535',
    ]);
  });
});
