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

/** Errors that body-parser raises before a controller runs. */
const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'request body is not valid JSON; send a JSON object',
  'entity.too.large': 'request body is larger than 64 KB; send a smaller body',
  'encoding.unsupported':
    'request body encoding is not supported; send UTF-8 JSON',
  'charset.unsupported':
    'request body charset is not supported; send UTF-8 JSON',
  'request.aborted': 'request was aborted by the client',
  'request.size.invalid': 'request body length does not match Content-Length',
};

/**
 * Maps domain errors, Nest HTTP exceptions and body-parser errors to one
 * JSON error shape. Anything else is logged once with its stack and answered
 * with a 500 that reveals nothing.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
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
    if (exception instanceof HttpException) {
      return this.fromHttpException(exception);
    }

    const parserError = exception as { type?: string; status?: number };
    if (
      parserError &&
      typeof parserError.type === 'string' &&
      parserError.status
    ) {
      const message =
        BODY_PARSER_MESSAGES[parserError.type] ??
        'request body could not be read';

      return this.body(parserError.status, message);
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
    const error = HttpStatus[statusCode] ?? 'Error';

    return {
      statusCode,
      error: error
        .toLowerCase()
        .split('_')
        .map((word) => word[0].toUpperCase() + word.slice(1))
        .join(' '),
      message,
    };
  }
}
