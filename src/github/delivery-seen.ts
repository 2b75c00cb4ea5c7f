import type { Queryable } from "../db/index.js";

/** True when this `X-GitHub-Delivery` was handled before: a redelivery changes nothing. */
export async function deliverySeen(db: Queryable, deliveryId: string): Promise<boolean> {
  const { rows } = await db.query<{ seen: boolean }>(
    "select exists (select 1 from webhook_deliveries where delivery_id = $1::text) as seen",
    [deliveryId],
  );
  return rows[0]?.seen === true;
}
