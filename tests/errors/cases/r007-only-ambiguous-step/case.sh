# title: --only matches two steps
mkdir two
printf 'select 1;\n' >two/01_load.sql
printf 'select 2;\n' >two/02_load.sql
runner --only load two
