# title: a -d string libpq cannot parse
mkdir -p data/events && printf '{"id": 1, "name": "a", "score": 1.5, "ts": 1541105830796, "ok": true, "userId": 7}\n' >data/events/a.json   # the inputs are fine
runner -d 'host=localhost port' steps
