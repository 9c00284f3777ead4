# title: stargen:no-transaction after the first statement
cp -r steps s
printf 'SELECT 1;\n-- stargen:no-transaction\nSELECT 2;\n' >s/06_bad.sql
runner s
