# title: --json into a folder that does not exist
# about: The run itself happens; the report cannot be written (exit 2 when the run was otherwise fine).
# needs: a PostgreSQL server
runner -q --json no/such/folder/run.json --only 00_drop steps
