# title: the source folder is missing
# needs: a PostgreSQL server
mkdir data
runner -q --data data steps
