# title: a -d string libpq cannot parse
runner -d 'host=localhost port' steps
