# title: the jsonpaths file of a COPY is missing
# needs: a PostgreSQL server
cp -r steps s
rm s/staging_events.jsonpaths.json
mkdir -p data/events && printf '{"id": 1, "name": "a", "score": 1.5, "ts": 1541105830796, "ok": true, "userId": 7}\n' >data/events/a.json
runner -q --data data s
