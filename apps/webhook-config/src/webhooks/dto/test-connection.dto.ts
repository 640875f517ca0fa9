import { IsString, MaxLength } from 'class-validator';
import { URL_MAX_LENGTH, URL_MESSAGE } from './webhook-fields';

export class TestConnectionDto {
  @IsString({ message: URL_MESSAGE })
  @MaxLength(URL_MAX_LENGTH, { message: URL_MESSAGE })
  url!: string;
}
