-- Per product and program-local day, recomputed with the other rollups for every day an import
-- touches (the quarterly review's product table reads it instead of a quarter of order lines):
-- net GMV, and the net GMV of lines that earned the creator a commission.
CREATE TABLE product_daily (
    program_id            BIGINT NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
    day                   DATE NOT NULL,
    product_id            TEXT NOT NULL,
    gmv_cents             BIGINT NOT NULL,
    commission_gmv_cents  BIGINT NOT NULL,
    PRIMARY KEY (program_id, day, product_id)
);
INSERT INTO product_daily (program_id, day, product_id, gmv_cents, commission_gmv_cents)
SELECT program_id, created_on, product_id,
       COALESCE(SUM(payment_amount_cents) FILTER (WHERE net), 0),
       COALESCE(SUM(payment_amount_cents) FILTER (WHERE net AND commission > 0), 0)
  FROM (SELECT program_id, created_on, product_id, payment_amount_cents,
               (status NOT IN ('customer_unpaid', 'ineligible') AND NOT refunded) AS net,
               CASE WHEN actual_standard_commission_cents IS NOT NULL
                      OR actual_shop_ads_commission_cents IS NOT NULL
                      OR actual_cofunded_bonus_cents IS NOT NULL
                    THEN COALESCE(actual_standard_commission_cents, 0)
                         + COALESCE(actual_shop_ads_commission_cents, 0)
                         + COALESCE(actual_cofunded_bonus_cents, 0)
                    ELSE est_standard_commission_cents + est_shop_ads_commission_cents
                         + est_cofunded_bonus_cents END AS commission
          FROM order_lines WHERE product_id IS NOT NULL) l
 GROUP BY program_id, created_on, product_id;
