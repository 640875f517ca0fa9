import { Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Hands a handler's error to RabbitTransport unchanged. The default RPC
 * filter of @nestjs/microservices 11 turns every error that is not an
 * RpcException into `{ status: 'error', message: 'Internal server error' }`,
 * which would hide whether the message is invalid (dead-letter it) or the
 * failure transient (requeue it).
 */
@Catch()
export class RethrowRpcExceptionFilter implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
