import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  DIGEST_PATTERN,
  IMAGE_MAX_LENGTH,
  IMAGE_PATTERN,
  REGISTRY_PATTERN,
  TAG_PATTERN,
} from './patterns';

export const IMAGE_UPDATED = 'image.updated';

const DIGEST_HINT =
  'must be a content digest such as sha256:<64 lowercase hex digits>';

/** Maximum manifests per image index; real indexes list a dozen at most. */
export const MAX_MANIFESTS = 256;

export class ManifestEntry {
  @IsString()
  @Length(1, 64, { message: 'architecture must be 1 to 64 characters' })
  architecture!: string;

  @Matches(DIGEST_PATTERN, { message: `digest ${DIGEST_HINT}` })
  digest!: string;
}

/**
 * Body of `image.updated` on `quor.events`: a tag of an image now points to
 * a different digest. `previous_digest` is null and `previous_manifests`
 * empty for a brand-new tag; both may also be omitted, which means the same.
 */
export class ImageUpdatedMessage {
  @IsString({ message: 'event_id must be a string such as a UUID' })
  @Length(1, 200, { message: 'event_id must be 1 to 200 characters' })
  @Matches(/^[\x21-\x7e]+$/, {
    message: 'event_id must contain printable ASCII characters only',
  })
  event_id!: string;

  @IsISO8601(
    { strict: true, strictSeparator: true },
    {
      message:
        'occurred_at must be an ISO 8601 date-time such as 2026-12-03T10:15:00Z',
    },
  )
  occurred_at!: string;

  @IsString({
    message: 'registry must be a host name such as registry.quor.dev',
  })
  @Matches(REGISTRY_PATTERN, {
    message:
      'registry must be a lowercase host name with an optional port, such as registry.quor.dev',
  })
  registry!: string;

  @IsString({
    message: 'image must be a repository path such as default/image',
  })
  @MaxLength(IMAGE_MAX_LENGTH, {
    message: `image must be at most ${IMAGE_MAX_LENGTH} characters`,
  })
  @Matches(IMAGE_PATTERN, {
    message: 'image must be a lowercase repository path such as default/image',
  })
  image!: string;

  @IsString({ message: 'tag must be a string such as 1.2-alpine' })
  @Matches(TAG_PATTERN, {
    message:
      'tag must be 1 to 128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"',
  })
  tag!: string;

  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: false },
    { message: 'ui_url must be an https:// URL' },
  )
  @MaxLength(2048, { message: 'ui_url must be at most 2048 characters' })
  ui_url!: string;

  @Matches(DIGEST_PATTERN, { message: `digest ${DIGEST_HINT}` })
  digest!: string;

  @IsArray({ message: 'manifests must be an array of {architecture, digest}' })
  @ArrayMaxSize(MAX_MANIFESTS, {
    message: `manifests must have at most ${MAX_MANIFESTS} entries`,
  })
  @ValidateNested({ each: true })
  @Type(() => ManifestEntry)
  manifests!: ManifestEntry[];

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @Matches(DIGEST_PATTERN, {
    message: `previous_digest ${DIGEST_HINT}, or null for a new tag`,
  })
  previous_digest: string | null = null;

  @IsOptional()
  @IsArray({
    message: 'previous_manifests must be an array of {architecture, digest}',
  })
  @ArrayMaxSize(MAX_MANIFESTS, {
    message: `previous_manifests must have at most ${MAX_MANIFESTS} entries`,
  })
  @ValidateNested({ each: true })
  @Type(() => ManifestEntry)
  previous_manifests: ManifestEntry[] = [];
}

/** The part of an `image.updated` event that a customer endpoint receives. */
export interface ImageUpdatedPayload {
  registry: string;
  image: string;
  tag: string;
  ui_url: string;
  digest: string;
  manifests: { architecture: string; digest: string }[];
  previous_digest: string | null;
  previous_manifests: { architecture: string; digest: string }[];
}

/**
 * Builds the outgoing body: the public fields in the documented order, with
 * `event_id` and `occurred_at` left out because they travel in headers.
 */
export function toImageUpdatedPayload(
  message: ImageUpdatedMessage,
): ImageUpdatedPayload {
  const copyManifests = (entries: ManifestEntry[]) =>
    entries.map(({ architecture, digest }) => ({ architecture, digest }));

  return {
    registry: message.registry,
    image: message.image,
    tag: message.tag,
    ui_url: message.ui_url,
    digest: message.digest,
    manifests: copyManifests(message.manifests),
    previous_digest: message.previous_digest ?? null,
    previous_manifests: copyManifests(message.previous_manifests ?? []),
  };
}
