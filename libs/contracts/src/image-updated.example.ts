/**
 * Example `image.updated` body from the product documentation, as the
 * registry pipeline publishes it. Tests and the demo start from it.
 */
export const EXAMPLE_IMAGE_UPDATED = {
  event_id: '0b7c5a9e-3f0e-4a8e-9d5e-2f1c7f0a4b11',
  occurred_at: '2026-12-03T10:15:00Z',
  registry: 'registry.quor.dev',
  image: 'default/image',
  tag: '1.2-alpine',
  ui_url: 'https://app.quor.dev/images/123/default/image/details',
  digest:
    'sha256:843b9c5e4dd478148afceeb6a8f2b0797fe041dbf88b38954d345e2618162c36',
  manifests: [
    {
      architecture: 'amd64',
      digest:
        'sha256:0b98bc2ee3ff2010ff6c0042e27b254f6f3ad7590bb84d259f8a4483f57fb2ae',
    },
  ],
  previous_digest:
    'sha256:ee25cd7ca070d8672563a17e030016ec2561cb7293008598b54eed85300d1a55',
  previous_manifests: [
    {
      architecture: 'amd64',
      digest:
        'sha256:e5b5f72a2b189a3292f78b8a3502e74ae8c5294946e62fcb5ee08e2b6e84adae',
    },
  ],
};
