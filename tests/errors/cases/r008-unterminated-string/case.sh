# title: a step with an unterminated string literal
# about: The folder is checked as a whole before anything connects.
cp -r steps s
printf "INSERT INTO names VALUES (1, 'abc);\n" >s/06_bad.sql
runner s
