# title: a folder with no NN_name.sql file
mkdir empty
runner empty
