# title: a step name that is a folder
cp -r steps s
mkdir s/06_extra.sql
runner s
