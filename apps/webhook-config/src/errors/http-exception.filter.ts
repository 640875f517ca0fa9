import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  DependencyUnavailableError,
  RateLimitError,
  FieldError,
  PlanLimitError,
  ResourceNotFoundError,
} from './domain.errors';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
}

/** Builds the JSON error body every failed request gets. */
export function errorBody(statusCode: number, message: string): ErrorBody {
  const name = HttpStatus[statusCode] ?? 'Error';
  const error = name
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');

  return { statusCode, error, message };
}

/**
 * Maps domain errors and Nest HTTP exceptions to one JSON error shape.
 * Anything else is logged once with its stack and gets a 500 that reveals
 * nothing.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (exception instanceof RateLimitError) {
      response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    }
    if (
      body.statusCode >= 500 &&
      !(exception instanceof DependencyUnavailableError)
    ) {
      this.logger.error({ err: exception }, 'request failed unexpectedly');
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof ResourceNotFoundError) {
      return this.body(HttpStatus.NOT_FOUND, exception.message);
    }
    if (exception instanceof PlanLimitError) {
      return this.body(HttpStatus.FORBIDDEN, exception.message);
    }
    if (exception instanceof FieldError) {
      return {
        ...this.body(
          HttpStatus.BAD_REQUEST,
          `${exception.field}: ${exception.message}`,
        ),
        errors: [{ field: exception.field, message: exception.message }],
      };
    }
    if (exception instanceof DependencyUnavailableError) {
      return this.body(HttpStatus.SERVICE_UNAVAILABLE, exception.message);
    }
    if (exception instanceof RateLimitError) {
      return this.body(HttpStatus.TOO_MANY_REQUESTS, exception.message);
    }
    if (exception instanceof HttpException) {
      return this.fromHttpException(exception);
    }

    return this.body(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error');
  }

  private fromHttpException(exception: HttpException): ErrorBody {
    const status = exception.getStatus();
    const response = exception.getResponse() as
      string | { message?: string | string[]; errors?: ErrorBody['errors'] };
    if (typeof response === 'string') {
      return this.body(status, response);
    }
    const message = Array.isArray(response.message)
      ? response.message.join('; ')
      : (response.message ?? exception.message);

    return {
      ...this.body(status, message),
      ...(response.errors ? { errors: response.errors } : {}),
    };
  }

  private body(statusCode: number, message: string): ErrorBody {
    return errorBody(statusCode, message);
  }
}
