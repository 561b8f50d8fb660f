-- The monthly back-test of a model (eod.Backtest): at each month end, the
-- loans it scored horizon months before and performing then (observed),
-- how many became non-performing since (bads), and AUC and KS — NULL when
-- there were too few bads to measure, never a made-up number. Months
-- recorded before this migration have no back-test (horizon 0).
ALTER TABLE model_monitoring ADD COLUMN horizon INTEGER NOT NULL DEFAULT 0;
ALTER TABLE model_monitoring ADD COLUMN observed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE model_monitoring ADD COLUMN bads BIGINT NOT NULL DEFAULT 0;
ALTER TABLE model_monitoring ADD COLUMN auc DOUBLE PRECISION;
ALTER TABLE model_monitoring ADD COLUMN ks DOUBLE PRECISION;

-- The back-test's calibration by training score band (分数段校准): band
-- is the index of the band between the training score edges, low and
-- high the scores seen in it; bands without loans are not kept.
CREATE TABLE model_monitoring_bands (
    model_id BIGINT NOT NULL,
    month    INTEGER NOT NULL,
    band     INTEGER NOT NULL,
    low      DOUBLE PRECISION NOT NULL,
    high     DOUBLE PRECISION NOT NULL,
    loans    BIGINT NOT NULL,
    bads     BIGINT NOT NULL,
    mean_pd  DOUBLE PRECISION NOT NULL,
    bad_rate DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (model_id, month, band)
);
