CREATE TABLE workflow_placeholder (id {{ID}});
