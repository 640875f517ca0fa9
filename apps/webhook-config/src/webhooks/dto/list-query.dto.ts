import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';

const LIMIT_MESSAGE = 'limit must be a whole number from 1 to 100';

/** Page size and opaque cursor of a list operation. */
export class PageQueryDto {
  @ApiPropertyOptional({
    description: 'Items per page.',
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 20,
  })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(100, { message: LIMIT_MESSAGE })
  limit: number = 20;

  @ApiPropertyOptional({
    description:
      'The next_cursor value of the previous page; omit it for the first page.',
    pattern: '^[A-Za-z0-9_-]{1,200}$',
    example:
      'WyIyMDI2LTAxLTMxVDEyOjAwOjAwLjAwMFoiLCIzZjBlNGE4ZS05ZDVlLTRmMWMtOGYwYS00YjExMGI3YzVhOWUiXQ',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, {
    message: 'cursor must be the next_cursor value of the previous page',
  })
  cursor?: string;
}
