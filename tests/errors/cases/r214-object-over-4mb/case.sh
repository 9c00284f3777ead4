# title: an object larger than 4 MB
# about: Redshift's COPY has the same limit.
# needs: a PostgreSQL server
mkdir -p data/events
{ printf '{"id": 1, "name": "'; head -c 5000000 /dev/zero | tr '\0' x; printf '"}\n'; } >data/events/big.json
runner -q --data data steps
