import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * A configuration value that is missing or malformed. The message names
 * each variable and the form it expects, so the operator can fix it.
 */
export class ConfigurationError extends Error {
  constructor(
    readonly problems: string[],
    /** Names of the invalid variables. */
    readonly variables: string[] = [],
  ) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }
}

/** Names of variables whose value is never printed, such as JWT_SECRET. */
const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|KEY)$/;

/**
 * Names a variable and its rejected value for an error message without
 * revealing a secret. A secret variable shows only its length, and a URL
 * shows no password.
 */
export function describeVariable(
  name: string,
  value: string | undefined,
): string {
  if (value === undefined || value === '') {
    return `${name} (not set)`;
  }
  if (SECRET_NAME.test(name)) {
    return `${name} (${value.length} characters, not shown)`;
  }

  return `${name}=${JSON.stringify(withoutPassword(value))}`;
}

/** Matches the password of a URL's user information: `//user:password@`. */
const URL_PASSWORD = /(\/\/[^/?#@:]*:)[^/?#]*@/;

function withoutPassword(value: string): string {
  return value.replace(URL_PASSWORD, '$1***@');
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
    // class-validator reports each failed rule, and the rules of one
    // variable share a message, so each message is listed once.
    const problems = errors.map((error) => {
      const messages = new Set(Object.values(error.constraints ?? {}));

      const variable = describeVariable(error.property, env[error.property]);

      return `${variable}: ${[...messages].join(', ')}`;
    });
    throw new ConfigurationError(
      problems,
      errors.map((error) => error.property),
    );
  }

  return config;
}
