# title: an unknown --target
gen --target mysql
