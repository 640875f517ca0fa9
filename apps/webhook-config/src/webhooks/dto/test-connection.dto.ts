import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { URL_PROPERTY } from './create-webhook.dto';
import { IsPlainText, URL_MAX_LENGTH, URL_MESSAGE } from './webhook-fields';

@ApiSchema({ name: 'TestConnectionRequest' })
export class TestConnectionDto {
  @ApiProperty({
    ...URL_PROPERTY,
    description: `${URL_PROPERTY.description} The URL is not saved.`,
  })
  @IsString({ message: URL_MESSAGE })
  @MaxLength(URL_MAX_LENGTH, { message: URL_MESSAGE })
  @IsPlainText({ message: URL_MESSAGE })
  url!: string;
}
