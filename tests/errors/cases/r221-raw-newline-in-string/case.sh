# title: a raw line break inside a string
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1, "name": "a\nb"}\n' >data/events/a.json
runner -q --data data steps
