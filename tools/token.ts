import { JwtService } from '@nestjs/jwt';
import { ORGANIZATION_ID_PATTERN } from '@quor/contracts';
import { parseArgs } from 'node:util';
import { localEnv } from './local-env';

/**
 * Prints a bearer token for the config API, signed with JWT_SECRET (by
 * default the local development key), as the UI gateway would issue it.
 */
function main(): void {
  const { values } = parseArgs({
    options: {
      organization: { type: 'string' },
      'expires-in': { type: 'string', default: '1h' },
    },
  });
  const organizationId = values.organization ?? '';
  if (!ORGANIZATION_ID_PATTERN.test(organizationId)) {
    console.error(
      'usage: npm run token -- --organization <id> [--expires-in 1h]\n' +
        '--organization must be 1 to 64 letters, digits, "_" or "-"',
    );
    process.exit(2);
  }
  const jwt = new JwtService({ secret: localEnv().JWT_SECRET });
  const token = jwt.sign(
    { organization_id: organizationId },
    { algorithm: 'HS256', expiresIn: values['expires-in'] as never },
  );
  console.log(token);
}

main();
