CREATE TABLE notify_placeholder (id {{ID}});
