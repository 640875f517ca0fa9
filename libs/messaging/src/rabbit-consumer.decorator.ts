import { applyDecorators, Controller, UseFilters } from '@nestjs/common';
import { RethrowRpcExceptionFilter } from './rethrow-rpc-exception.filter';

/**
 * Marks a class as a message consumer: a Nest controller whose handlers'
 * errors reach RabbitTransport unchanged, so it can dead-letter invalid
 * messages and requeue transient failures.
 */
export function RabbitConsumer(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(RethrowRpcExceptionFilter));
}
