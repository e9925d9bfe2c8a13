CREATE TABLE jobs_placeholder (id {{ID}});
