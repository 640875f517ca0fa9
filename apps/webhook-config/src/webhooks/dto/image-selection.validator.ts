import {
  IMAGE_PATTERN,
  MAX_WEBHOOK_IMAGES,
  REGISTRY_PATTERN,
} from '@quor/contracts';
import { ValidateBy, ValidationOptions } from 'class-validator';
import type { ImageSelection } from '../webhook.entity';

/** `"all"` for every subscribed image, or a list of images. */
export type ImageSelectionInput = 'all' | ImageSelection[];

export const IMAGES_HINT =
  'must be "all" or a non-empty list of {"registry": "registry.quor.dev", "image": "default/image"} ' +
  `with at most ${MAX_WEBHOOK_IMAGES} distinct images`;

export function isImageSelection(value: unknown): value is ImageSelectionInput {
  if (value === 'all') {
    return true;
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > MAX_WEBHOOK_IMAGES
  ) {
    return false;
  }
  const seen = new Set<string>();
  for (const item of value) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return false;
    }
    const { registry, image, ...rest } = item as Record<string, unknown>;
    if (Object.keys(rest).length > 0) {
      return false;
    }
    if (typeof registry !== 'string' || !REGISTRY_PATTERN.test(registry)) {
      return false;
    }
    if (
      typeof image !== 'string' ||
      image.length > 255 ||
      !IMAGE_PATTERN.test(image)
    ) {
      return false;
    }
    const key = `${registry}/${image}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
  }

  return true;
}

export function IsImageSelection(
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isImageSelection',
      validator: {
        validate: (value) => isImageSelection(value),
        defaultMessage: () => `images ${IMAGES_HINT}`,
      },
    },
    options,
  );
}
