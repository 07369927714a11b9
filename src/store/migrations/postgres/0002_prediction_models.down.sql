DROP TABLE IF EXISTS prediction_models;
