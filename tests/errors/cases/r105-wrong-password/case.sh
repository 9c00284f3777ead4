# title: a wrong password
# about: Not transient: no retry; the password is never printed.
# needs: a PostgreSQL server with password authentication for role pwuser
runner -d 'dbname=postgres user=pwuser password=wrong' steps
