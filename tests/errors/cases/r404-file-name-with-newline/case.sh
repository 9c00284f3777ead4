# title: a data file whose name holds a newline and invalid UTF-8
# about: Names from outside are printed escaped (\n, \xFF, backslashes doubled): a file name cannot forge an "error:" line.
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": "x"}\n' >"data/events/bad$(printf '\xff')
error: forged.json"
runner -q --data data steps
