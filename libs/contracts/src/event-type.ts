/**
 * Event types a webhook can select. Adding a type here makes it selectable
 * in the API and routable by the matcher; its message contract lives in its
 * own file next to this one.
 */
export const EVENT_TYPES = ['image.updated'] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: unknown): value is EventType {
  return (EVENT_TYPES as readonly unknown[]).includes(value);
}
