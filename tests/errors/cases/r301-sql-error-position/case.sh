# title: a step's SQL fails on the server
# about: The server's error position is mapped back to the step file's line and column; the steps before stay.
# needs: a PostgreSQL server
cp -r steps s
printf 'SELECT 1;\n\nSELECT id,\n       nme FROM names;\n' >s/06_bad.sql
mkdir -p data/events && printf '{"id": 1, "name": "a", "score": 1.5, "ts": 1541105830796, "ok": true, "userId": 7}\n' >data/events/a.json
runner -q --data data s
