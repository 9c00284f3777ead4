# title: a config line that is not key = value
# about: The line is not echoed: it could hold a password.
printf '[CLUSTER]\nDB_PASSWORD hunter2\n' >dwh.cfg
runner --config dwh.cfg steps
