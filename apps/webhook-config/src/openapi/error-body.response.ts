import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { ErrorBody } from '../errors/http-exception.filter';

@ApiSchema({ name: 'FieldError' })
export class FieldErrorResponse {
  @ApiProperty({
    description: 'Path of the invalid field, with dots for nested fields.',
    example: 'event_types',
  })
  field!: string;

  @ApiProperty({
    example:
      'event_types must be a non-empty list of distinct values from: image.updated',
  })
  message!: string;
}

@ApiSchema({
  name: 'Error',
  description: 'Body of every response with a 4xx or 5xx status.',
})
export class ErrorBodyResponse implements ErrorBody {
  @ApiProperty({ type: 'integer', example: 400 })
  statusCode!: number;

  @ApiProperty({
    description: 'Reason phrase of the status.',
    example: 'Bad Request',
  })
  error!: string;

  @ApiProperty({
    description: 'What failed and how to fix it.',
    example:
      'event_types: event_types must be a non-empty list of distinct values from: image.updated',
  })
  message!: string;

  @ApiPropertyOptional({
    type: () => FieldErrorResponse,
    isArray: true,
    description:
      'One entry per invalid field; present only on 400 responses that name fields.',
  })
  errors?: FieldErrorResponse[];
}
