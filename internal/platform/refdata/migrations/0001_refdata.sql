CREATE TABLE refdata_placeholder (id {{ID}});
