# title: a step with an unterminated dollar quote
cp -r steps s
printf 'DO $body$ BEGIN NULL; END;\n' >s/06_bad.sql
runner s
