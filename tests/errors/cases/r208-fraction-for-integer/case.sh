# title: a fraction where an integer is expected
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1.5}\n' >data/events/a.json
runner -q --data data steps
