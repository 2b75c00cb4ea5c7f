import type { Queryable } from "../db/index.js";

export interface Delivery {
  id: string;
  event: string;
  action?: string | null | undefined;
  installationId?: number | null | undefined;
}

/**
 * Records a webhook delivery; false when it was seen before. Call it in the transaction of
 * the work the delivery causes, so a redelivery after a failure is not lost and a
 * redelivery after success changes nothing.
 */
export async function recordDelivery(tx: Queryable, delivery: Delivery): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into webhook_deliveries (delivery_id, event, action, installation_id)
     values ($1::text, $2::text, $3::text, $4::bigint)
     on conflict (delivery_id) do nothing`,
    [delivery.id, delivery.event, delivery.action ?? null, delivery.installationId ?? null],
  );
  return rowCount === 1;
}
