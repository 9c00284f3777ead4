# title: a primary key violated
# about: The step rolls back; the steps before it stay.
# needs: a PostgreSQL server
cp -r steps s
printf 'INSERT INTO names VALUES (1, $$a$$), (1, $$b$$);\n' >s/06_dup.sql
mkdir -p data/events && printf '{"id": 1, "name": "a", "score": 1.5, "ts": 1541105830796, "ok": true, "userId": 7}\n' >data/events/a.json
runner -q --data data s
