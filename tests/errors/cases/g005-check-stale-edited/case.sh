# title: --check after a hand edit of out/
# about: CI runs `gen --check`: out/ must be what the model compiles to.
gen -q -o out
echo '-- a hand edit' >>out/postgres/01_create_staging.sql
gen --check -o out
