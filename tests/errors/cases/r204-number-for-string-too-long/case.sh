# title: a number where a string is expected
# about: A number loads its text into a varchar column (as Redshift's COPY does); it fails only when the text does not fit.
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1, "name": 12345}\n{"id": 2, "name": 123456}\n' >data/events/a.json
runner -q --data data steps
