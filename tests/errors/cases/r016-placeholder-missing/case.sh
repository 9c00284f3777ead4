# title: a placeholder with no value
# about: Every missing value is named before anything runs.
cp -r steps s
printf '%s\n' "SELECT '\${MY_ROLE_ARN}', '\${OTHER_SECRET}';" >s/06_ph.sql
runner s
