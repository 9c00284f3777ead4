# title: --check with a file the model no longer produces
gen -q -o out
echo 'select 1;' >out/postgres/99_old_step.sql
gen --check -o out
