import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * A configuration value that is missing or malformed. The message names
 * each variable and the form it expects, so the operator can fix it.
 */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Builds a typed configuration from environment variables. Property names
 * of `type` are the variable names; class-validator rules give each one's
 * expected form in their messages, and class-transformer converts strings.
 *
 * @throws ConfigurationError listing every invalid variable.
 */
export function loadConfig<T extends object>(
  type: new () => T,
  env: NodeJS.ProcessEnv,
): T {
  const defaults = new type() as Record<string, unknown>;
  const provided: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    if (value !== undefined && value !== '') {
      provided[key] = value;
    }
  }

  const config = plainToInstance(type, provided, {
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const problems = errors.flatMap((error) =>
      Object.values(error.constraints ?? {}).map(
        (message) =>
          `${error.property}=${JSON.stringify(env[error.property] ?? '')}: ${message}`,
      ),
    );
    throw new ConfigurationError(problems);
  }

  return config;
}
