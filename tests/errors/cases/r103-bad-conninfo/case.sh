# title: a -d string libpq cannot parse
mkdir -p data/events && printf '{"id": 1}\n' >data/events/a.json   # the inputs are fine
runner -d 'host=localhost port' steps
