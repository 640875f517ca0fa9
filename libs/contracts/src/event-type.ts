/**
 * Event types a webhook can select. Adding a type here makes it selectable
 * in the API and routable by the matcher. Its message contract lives in its
 * own file next to this one.
 */
export const EVENT_TYPES = ['image.updated'] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: unknown): value is EventType {
  return (EVENT_TYPES as readonly unknown[]).includes(value);
}

/**
 * Event type of test pings. It is sent and recorded like any event but is
 * not selectable, because every webhook receives its own pings.
 */
export const PING_EVENT_TYPE = 'webhook.ping';

/** Event types a delivery can carry: the selectable ones and pings. */
export const DELIVERY_EVENT_TYPES = [...EVENT_TYPES, PING_EVENT_TYPE] as const;

export type DeliveryEventType = (typeof DELIVERY_EVENT_TYPES)[number];

export function isDeliveryEventType(
  value: unknown,
): value is DeliveryEventType {
  return (DELIVERY_EVENT_TYPES as readonly unknown[]).includes(value);
}
