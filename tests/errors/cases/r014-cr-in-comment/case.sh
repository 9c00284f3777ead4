# title: a carriage return inside a -- comment
# about: PostgreSQL ends a `--` comment at a carriage return, so the rest of that line would run as SQL while it reads as a comment: the runner refuses the file.
cp -r steps s
printf -- '-- a comment\rDROP TABLE names; --\nSELECT 1;\n' >s/06_bad.sql
runner s
