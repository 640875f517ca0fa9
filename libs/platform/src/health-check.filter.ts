import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Response } from 'express';

/**
 * Sends the body that @nestjs/terminus built for a failed readiness check,
 * which names each dependency that is down. Applied to a health
 * controller, it takes precedence over an application-wide filter that
 * would replace that body with a generic error and log every failed probe
 * as an unexpected error.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckFailureFilter implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(exception.getStatus())
      .json(exception.getResponse());
  }
}
