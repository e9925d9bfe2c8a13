CREATE TABLE attach_placeholder (id {{ID}});
