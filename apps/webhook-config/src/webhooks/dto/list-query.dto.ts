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
  @IsOptional()
  @Transform(({ value }) =>
    /^\d+$/.test(String(value)) ? Number(value) : value,
  )
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(100, { message: LIMIT_MESSAGE })
  limit: number = 20;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, {
    message: 'cursor must be the next_cursor value of the previous page',
  })
  cursor?: string;
}
