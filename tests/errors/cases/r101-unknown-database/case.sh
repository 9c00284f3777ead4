# title: the database does not exist
# about: Not transient: no retry.
# needs: a PostgreSQL server
runner -d dbname=no_such_db steps
