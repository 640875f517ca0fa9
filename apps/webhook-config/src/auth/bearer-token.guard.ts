import {
  CanActivate,
  ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ORGANIZATION_ID_PATTERN } from '@quor/contracts';
import type { Request } from 'express';

export interface AuthenticatedRequest extends Request {
  organizationId: string;
}

/**
 * Accepts a request only with `Authorization: Bearer <JWT>` (the scheme
 * in any case) with an `exp` claim, signed with
 * HS256 by the UI gateway. The organization comes from the token's
 * `organization_id` claim, never from the request.
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization ?? '';
    const match =
      /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(header);
    if (!match) {
      throw new UnauthorizedException(
        'missing or malformed Authorization header; send "Authorization: Bearer <token>"',
      );
    }

    let claims: { organization_id?: unknown; exp?: unknown };
    try {
      claims = await this.jwt.verifyAsync(match[1], { algorithms: ['HS256'] });
    } catch (error) {
      const reason =
        (error as Error).name === 'TokenExpiredError' ? 'expired' : 'invalid';
      throw new UnauthorizedException(
        `bearer token is ${reason}; request a new token`,
      );
    }

    if (typeof claims.exp !== 'number') {
      throw new UnauthorizedException(
        'bearer token has no exp claim; request a token that expires',
      );
    }

    const organizationId = claims.organization_id;
    if (
      typeof organizationId !== 'string' ||
      !ORGANIZATION_ID_PATTERN.test(organizationId)
    ) {
      throw new UnauthorizedException(
        'bearer token has no valid organization_id claim; request a new token',
      );
    }
    request.organizationId = organizationId;

    return true;
  }
}
